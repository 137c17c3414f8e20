"""The answer stage: the steps are in ``answerer``; follow-ups made standalone in ``condense``; evidence
selection and the refusal gate in ``evidence``; what the model is asked in ``reader``; the fact check and
citations in ``verify``, with figures read by ``facts``."""

from .answerer import Answerer
from .evidence import Evidence
from .reader import REFUSAL_MARK

__all__ = ["REFUSAL_MARK", "Answerer", "Evidence"]
