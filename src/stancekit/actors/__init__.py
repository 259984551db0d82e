"""Actors: gazetteer matching with inflection and metonymy, merging per article, contexts."""

from stancekit.actors.contexts import (
    Actor,
    ActorContext,
    ActorExtractor,
    ContextConfig,
    build_context,
    mentions_from_strings,
    split_sentences,
)
from stancekit.actors.gazetteer import ActorEntry, Gazetteer, GazetteerError
from stancekit.actors.matcher import ActorMention, GazetteerMatcher

__all__ = [
    "Actor",
    "ActorContext",
    "ActorEntry",
    "ActorExtractor",
    "ActorMention",
    "ContextConfig",
    "Gazetteer",
    "GazetteerError",
    "GazetteerMatcher",
    "build_context",
    "mentions_from_strings",
    "split_sentences",
]
