"""Model families behind one interface (fit / predict_proba / save, labels saved with the model)."""

from stancekit.models.base import StanceModel, load_model
from stancekit.models.tfidf import TfidfStanceModel

__all__ = ["StanceModel", "TfidfStanceModel", "load_model"]
