"""The schema of a risk rule set, and reading one from YAML with errors an administrator can act on.

A rule set is YAML::

    rules:
      - code: family_threat_police          # stable id: lower case, digits, underscores
        name: 家庭纠纷扬言威胁且曾报警
        when:                               # every condition given must hold
          category: [marriage_family]
          cues_any: [threat, weapon]
          prior_events: {at_least: 1, days: 180, channel: [police_110]}
        then:
          risk: high                        # raises the event's risk, never lowers it
          tags: [民转刑]
          warning: {level: high, title: 民转刑风险预警, ack_hours: 1}

Every error names the rule (its code and position), the field and the YAML line, in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fengqiao.core.errors import InvalidInput
from fengqiao.events.kinds import Channel
from fengqiao.triage.classify.rules import default_rules
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.warnings.patterns import PatternKind

Risk = Literal["low", "medium", "high"]
RISK_ORDER = {"low": 0, "medium": 1, "high": 2}
MAX_TEXT = 200_000
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorEvents(_Strict):
    """Earlier events of the same person or organisation (a linked identity) within ``days`` before this one."""

    at_least: int = Field(ge=1, le=1000)
    days: int = Field(ge=1, le=3650)
    channel: list[str] | None = None
    category: list[str] | None = None
    role: Literal["any", "respondent", "applicant"] = "any"  # which party of *this* event is counted

    @field_validator("channel")
    @classmethod
    def _channels(cls, value: list[str] | None) -> list[str] | None:
        return _check_channels(value)

    @field_validator("category")
    @classmethod
    def _categories(cls, value: list[str] | None) -> list[str] | None:
        return _check_categories(value)


class Conditions(_Strict):
    category: list[str] | None = None
    subcategory: list[str] | None = None
    channel: list[str] | None = None
    cues_any: list[str] | None = None
    cues_all: list[str] | None = None
    amount_at_least: int | None = Field(default=None, ge=0, le=10**12)
    involved_at_least: int | None = Field(default=None, ge=1, le=1_000_000)
    risk_at_least: Risk | None = None
    key_person: Literal["any", "respondent", "applicant"] | None = None
    key_place: bool | None = None
    prior_events: PriorEvents | None = None
    patterns: list[str] | None = None

    @field_validator("category")
    @classmethod
    def _categories(cls, value: list[str] | None) -> list[str] | None:
        return _check_categories(value)

    @field_validator("subcategory")
    @classmethod
    def _subcategories(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        known = {s.code for s in default_taxonomy()}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"未知的事项子类：{'、'.join(unknown)}（应写作“类别.子类”，如 marriage_family.divorce）")
        return _non_empty(value)

    @field_validator("channel")
    @classmethod
    def _channels(cls, value: list[str] | None) -> list[str] | None:
        return _check_channels(value)

    @field_validator("cues_any", "cues_all")
    @classmethod
    def _cues(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        known = {r.code for r in default_rules().rules}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"未知的风险线索：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
        return _non_empty(value)

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        known = {k.value for k in PatternKind}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"未知的线索类型：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
        return _non_empty(value)

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields)


class WarningSpec(_Strict):
    level: Risk
    title: str = Field(min_length=1, max_length=60)
    ack_hours: float | None = Field(default=None, gt=0, le=720)


class Outcome(_Strict):
    risk: Risk | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)
    warning: WarningSpec | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not tag.strip() or len(tag) > 20:
                raise ValueError("每个标签应为1到20个字")
        return value


class RuleSpec(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")
    name: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=500)
    enabled: bool = True
    when: Conditions
    then: Outcome

    @model_validator(mode="after")
    def _meaningful(self) -> RuleSpec:
        if self.when.is_empty():
            raise ValueError("when 至少要有一个条件，否则规则会命中所有事件")
        if self.then.risk is None and not self.then.tags and self.then.warning is None:
            raise ValueError("then 至少要给出风险等级、标签或预警之一")
        return self


class RuleSetSpec(_Strict):
    rules: list[RuleSpec] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _unique_codes(self) -> RuleSetSpec:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.code in seen:
                raise ValueError(f"规则编码重复：{rule.code}")
            seen.add(rule.code)
        return self


def _non_empty(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("列表不能为空；不需要这个条件时请删去这一项")
    return value


def _check_channels(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    known = {c.value for c in Channel}
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"未知的渠道：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
    return _non_empty(value)


def _check_categories(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    known = {c.code for c in default_taxonomy().categories}
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"未知的事项类别：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
    return _non_empty(value)


# --- errors -------------------------------------------------------------------------------------------------------

FIELD_LABELS: dict[str, str] = {
    "rules": "规则列表",
    "code": "规则编码",
    "name": "规则名称",
    "description": "说明",
    "enabled": "是否启用",
    "when": "条件",
    "then": "结果",
    "category": "事项类别",
    "subcategory": "事项子类",
    "channel": "渠道",
    "cues_any": "任一风险线索",
    "cues_all": "全部风险线索",
    "amount_at_least": "涉及金额下限",
    "involved_at_least": "涉及人数下限",
    "risk_at_least": "风险等级下限",
    "key_person": "重点人员",
    "key_place": "重点场所",
    "prior_events": "此前事件",
    "at_least": "次数下限",
    "days": "天数",
    "role": "当事人角色",
    "patterns": "研判线索类型",
    "risk": "风险等级",
    "tags": "标签",
    "warning": "预警",
    "level": "预警等级",
    "title": "预警标题",
    "ack_hours": "签收时限（小时）",
}


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a rule set: where (rule, field, line) and what, in Chinese."""

    message: str
    line: int | None = None
    rule: str | None = None  # the rule's code, or "第N条规则" when it has none
    field: str | None = None  # dotted path inside the rule, e.g. "when.prior_events.days"
    field_label: str | None = None

    def as_text(self) -> str:
        where = [f"第{self.line}行"] if self.line else []
        if self.rule:
            where.append(f"规则 {self.rule}")
        if self.field:
            where.append(f"{self.field_label or self.field}（{self.field}）")
        return f"{' · '.join(where)}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.as_text()}


class RuleSetInvalid(InvalidInput):
    code = "invalid_rule_set"

    def __init__(self, problems: list[RuleProblem]) -> None:
        first = problems[0].as_text() if problems else ""
        more = f"等{len(problems)}处问题" if len(problems) > 1 else ""
        super().__init__(f"规则集有误：{first}{more}", details=[p.as_dict() for p in problems])
        self.problems = problems


_MESSAGES: dict[str, str] = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表，如 [a, b]",
    "model_type": "应为键值对（映射）",
    "model_attributes_type": "应为键值对（映射）",
    "dict_type": "应为键值对（映射）",
    "too_short": "至少需要一项",
    "string_too_short": "不能为空",
}


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"应为以下之一：{str(ctx.get('expected', '')).replace(' or ', '、').replace(', ', '、')}"
    if kind == "string_pattern_mismatch":
        return "只能用小写字母、数字和下划线，以字母开头，2到48个字符"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应{'不小于' if kind == 'greater_than_equal' else '大于'}{ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"应{'不大于' if kind == 'less_than_equal' else '小于'}{ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字"
    if kind == "too_long":
        return f"不能超过{ctx.get('max_length')}项"
    return _MESSAGES.get(kind, str(error["msg"]))


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The YAML line of the deepest node along ``loc`` (a missing field points at the mapping that lacks it)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if found is None:
                break
            key = next(k for k, v in node.value if v is found)
            node = found
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _problem(error: Any, data: Any, root: yaml.Node | None) -> RuleProblem:
    loc = tuple(error["loc"])
    rule: str | None = None
    inner = loc
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        index = loc[1]
        code = None
        try:
            code = data["rules"][index].get("code")
        except (KeyError, IndexError, TypeError, AttributeError):
            code = None
        rule = f"{code}（第{index + 1}条）" if isinstance(code, str) and code else f"第{index + 1}条规则"
        inner = loc[2:]
    names = [str(p) for p in inner if not isinstance(p, int)]
    path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in inner).replace(".[", "[") or None
    label = FIELD_LABELS.get(names[-1]) if names else None
    return RuleProblem(message=_message(error), line=_line_of(root, loc), rule=rule, field=path, field_label=label)


def parse(text: str) -> RuleSetSpec:
    """Read and check a rule set; raise :class:`RuleSetInvalid` listing every problem found."""
    if len(text) > MAX_TEXT:
        raise RuleSetInvalid([RuleProblem(f"规则集过长（不超过{MAX_TEXT}个字符）")])
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise RuleSetInvalid([RuleProblem("包含不可见的控制字符")])
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (libyaml when available)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "无法解析"
        return_line = mark.line + 1 if mark is not None else None
        raise RuleSetInvalid([RuleProblem(f"YAML 格式错误：{problem}", line=return_line)]) from exc
    except yaml.YAMLError as exc:
        raise RuleSetInvalid([RuleProblem(f"YAML 格式错误：{exc}")]) from exc
    if not isinstance(data, dict):
        raise RuleSetInvalid([RuleProblem("规则集应以 rules: 开头，下面逐条列出规则", line=1)])
    try:
        return RuleSetSpec.model_validate(data)
    except ValidationError as exc:
        # Only now the node tree, for line numbers: composing it costs as much again as loading.
        root = yaml.compose(text, Loader=_LOADER)
        raise RuleSetInvalid([_problem(e, data, root) for e in exc.errors()]) from exc
