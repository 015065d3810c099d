"""A result counts in the statistics the moment it becomes final, and a refusal the moment it is recorded; the
scheduled job (`tasks.sync_facts`) catches any the moment missed."""

from choujian.analytics.facts import fact_record_outcome, fact_record_refusal
from choujian.ledger.events import entry_recorded


def count_result(sender, *, type: str, ref: str, instance, **kwargs) -> None:
    if instance is None:
        return
    if type == "outcome.final":
        fact_record_outcome(instance)
    elif type == "sampling.refused":
        fact_record_refusal(instance)


entry_recorded.connect(count_result, dispatch_uid="analytics.count_result")
