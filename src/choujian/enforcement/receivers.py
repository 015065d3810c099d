"""A case opens the moment a result becomes final and non-conforming, or a sampling is refused (the scheduled job
`tasks.open_cases` catches any the moment missed)."""

from choujian.enforcement.choices import CaseCause
from choujian.enforcement.services import case_open
from choujian.ledger.events import entry_recorded
from choujian.testing.choices import Judgment


def open_case(sender, *, type: str, ref: str, instance, **kwargs) -> None:
    if type == "outcome.final" and instance is not None and instance.judgment == Judgment.JUDGMENT_FAIL:
        case_open(task=instance.sample.task, cause=CaseCause.CAUSE_FAILED, outcome=instance)
    elif type == "sampling.refused" and instance is not None:
        case_open(task=instance.task, cause=CaseCause.CAUSE_REFUSED)


entry_recorded.connect(open_case, dispatch_uid="enforcement.open_case")
