"""The system prompt of a tenant's bot: the tenant's own, or the one of its plan."""

from tinyeclipse.tenants.settings import Plan, TenantSettings

_ROLE = (
    "You are the customer support assistant of this company, answering visitors on its website. "
    "Use only the context you are given. Never invent prices, policies, dates or promises."
)
_PRO_STYLE = (
    "Be helpful and friendly. When a task takes several steps, give them as a short numbered list, one step each."
)
_STYLE = {
    Plan.tiny: "Be concise: answer in at most three sentences.",
    Plan.pro: _PRO_STYLE,
    Plan.pro_plus: (
        f"{_PRO_STYLE} Write warmly, in the company's own voice, "
        "and end by suggesting a useful next step for the visitor."
    ),
}


def system_prompt(plan: Plan, settings: TenantSettings) -> str:
    if settings.system_prompt:
        return settings.system_prompt
    return f"{_ROLE} {_STYLE[plan]} {_when_unsure(settings.contact)}"


def _when_unsure(contact: str | None) -> str:
    human = f"a human colleague ({contact})" if contact else "a human colleague"
    return f"When you are unsure, or the context does not cover the question, say so and recommend contacting {human}."
