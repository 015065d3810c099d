"""A case opens the moment a result becomes final and non-conforming, or a sampling is refused; a 复查 task's
result goes to the case that ordered it instead. The scheduled job `tasks.open_cases` catches any the moment missed."""

from choujian.enforcement.choices import CaseCause
from choujian.enforcement.rechecks import recheck_conclude
from choujian.enforcement.services import case_open
from choujian.ledger.events import entry_recorded
from choujian.testing.choices import Judgment


def open_case(sender, *, type: str, ref: str, instance, **kwargs) -> None:
    if instance is None or type not in ("outcome.final", "sampling.refused"):
        return
    task = instance.sample.task if type == "outcome.final" else instance.task
    if task.is_recheck:  # a 复查's result belongs to the case that ordered it
        recheck_conclude(task=task, judgment=getattr(instance, "judgment", ""), refused=type == "sampling.refused")
    elif type == "outcome.final" and instance.judgment == Judgment.JUDGMENT_FAIL:
        case_open(task=task, cause=CaseCause.CAUSE_FAILED, outcome=instance)
    elif type == "sampling.refused":
        case_open(task=task, cause=CaseCause.CAUSE_REFUSED)


entry_recorded.connect(open_case, dispatch_uid="enforcement.open_case")
