"""`{% chain_of task %}`: the links along a spot check's chain that the viewer may open (see `core.chain`)."""

from django import template

from choujian.core import chain

register = template.Library()


@register.inclusion_tag("_chain.html", takes_context=True)
def chain_of(context, task):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"chain": chain.steps(user, task), "request": request}
