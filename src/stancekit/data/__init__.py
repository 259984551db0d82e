"""Data contract: articles and label rows, their validation, I/O and splits."""

from stancekit.data.io import (
    DataFormatError,
    RecordWriter,
    iter_records,
    read_records,
    write_records,
)
from stancekit.data.schema import LABEL_SPACE, TARGETS, Article, LabelRow
from stancekit.data.split import split_by_article
from stancekit.data.validate import DataValidationError, load_articles, load_dataset

__all__ = [
    "LABEL_SPACE",
    "TARGETS",
    "Article",
    "LabelRow",
    "DataFormatError",
    "DataValidationError",
    "RecordWriter",
    "iter_records",
    "read_records",
    "write_records",
    "load_articles",
    "load_dataset",
    "split_by_article",
]
