"""What a bulletin says: its figures gathered (counts here, rates from the metrics, the ranking from the assessment)
and written into sections 一、二、三… of a ``Document``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from fengqiao.assessment import rates
from fengqiao.assessment.rules import AssessedLevel
from fengqiao.assessment.service import Assessment, assess
from fengqiao.core.clock import to_local
from fengqiao.events.kinds import (
    CHANNEL_LABELS,
    HANDLING_LEVEL_LABELS,
    RISK_LEVEL_LABELS,
    SUPERVISION_LEVEL_LABELS,
    Channel,
    RiskLevel,
    SupervisionLevel,
)
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics.live import SELF, Rate, Scope
from fengqiao.metrics.present import category_name
from fengqiao.reports import charts
from fengqiao.reports import document as doc
from fengqiao.reports.counts import OUTSIDE, Counts, count, territory
from fengqiao.reports.period import Period
from fengqiao.warnings.issued import WARNING_STATUS_LABELS

RATE_NAMES = (
    "resolution_rate",
    "first_resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "local_resolution_rate",
)
TOP_CATEGORIES = 10
_RISK_LABELS = {level.value: label for level, label in RISK_LEVEL_LABELS.items()}
_WARNING_STATUS = {status.value: label for status, label in WARNING_STATUS_LABELS.items()}


@dataclass
class Figures:
    unit: Unit
    scope: Scope
    period: Period
    now: datetime
    counts: Counts
    previous: Counts
    rates: dict[str, Rate]  # the unit's
    previous_rates: dict[str, Rate]
    child_rates: dict[str, dict[str, Rate]]  # child code → metric → rate
    closed_by_level: dict[str, int]  # handling level → events closed (of those registered in the period)
    assessment: Assessment | None

    def child_name(self, code: str) -> str:
        if code == SELF:
            return "市本级" if self.unit.kind == UnitKind.COUNTY.value else "本级"
        if code == OUTSIDE:
            return "市级部门"
        return next((c.name for c in self.scope.children if c.code == code), code)

    @property
    def area(self) -> str:
        """How the text names the whole territory: 全市 for the county."""
        return "全市" if self.unit.kind == UnitKind.COUNTY.value else self.unit.name

    @property
    def child_kind_label(self) -> str:
        return {UnitKind.COUNTY.value: "镇(街道)", UnitKind.TOWN.value: "村(社区)"}.get(self.unit.kind, "网格")

    def summary(self) -> dict[str, object]:
        """The headline figures, stored with the bulletin and printed by the command line."""
        c = self.counts
        return {
            "registered": c.registered,
            "disputes": c.disputes,
            "by_channel": {k: v for k, v in c.by_channel.items() if v},
            "police_110": c.by_channel.get(Channel.POLICE_110.value, 0),
            "court": c.by_channel.get(Channel.COURT.value, 0),
            "first_petition": c.by_channel.get(Channel.FIRST_PETITION.value, 0),
            "newly_overdue": c.newly_overdue,
            "open_overdue": c.open_overdue,
            "supervised": {k: v for k, v in c.supervised.items() if v},
            "warnings": c.warnings,
            "rates": {
                name: {"numerator": r.numerator, "denominator": r.denominator, "value": r.value}
                for name, r in self.rates.items()
            },
        }


def gather(*, session: Session, unit: Unit, period: Period, now: datetime) -> Figures:
    scope = territory(session=session, unit=unit)
    counts = count(session=session, scope=scope, period=period, now=now)
    previous = count(session=session, scope=scope, period=period.previous(), now=now)
    days = {"start": period.first_day, "end": period.last_day}
    before = period.previous()
    level = {UnitKind.COUNTY.value: AssessedLevel.TOWN, UnitKind.TOWN.value: AssessedLevel.VILLAGE}.get(unit.kind)
    ranking = (
        assess(session=session, parent=unit, level=level, start=period.first_day, end=period.last_day)
        if level is not None
        else None
    )
    return Figures(
        unit=unit,
        scope=scope,
        period=period,
        now=now,
        counts=counts,
        previous=previous,
        rates=rates.unit_rates(session=session, unit=unit, names=RATE_NAMES, **days),
        previous_rates=rates.unit_rates(
            session=session, unit=unit, names=RATE_NAMES, start=before.first_day, end=before.last_day
        ),
        child_rates=(
            rates.rates_by(session=session, unit=unit, by="unit", names=RATE_NAMES, **days) if scope.children else {}
        ),
        closed_by_level=rates.closed_by_level(session=session, unit=unit, **days),
        assessment=ranking,
    )


# --- wording --------------------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> doc.Pct:
    return doc.Pct(part / whole if whole else None)


def change_text(now: int, before: int) -> str:
    """环比上升 12.5% / 环比下降 3.0% / 与上期持平 / 上期无数据."""
    if before == 0:
        return "上期无数据" if now else "与上期持平"
    delta = (now - before) / before
    if abs(delta) < 0.0005:
        return "与上期持平"
    return f"环比{'上升' if delta > 0 else '下降'}{abs(delta) * 100:.1f}%"


def _day(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def _points_change(now: Rate | None, before: Rate | None) -> str:
    """A rate's change in percentage points: 上升 1.2 个百分点."""
    if now is None or before is None or now.value is None or before.value is None:
        return ""
    delta = (now.value - before.value) * 100
    if abs(delta) < 0.05:
        return "持平"
    return f"{'上升' if delta > 0 else '下降'}{abs(delta):.1f}个百分点"


def _rate_text(rate: Rate | None) -> str:
    return str(doc.Pct(rate.value if rate else None))


# --- the document ---------------------------------------------------------------------------------------------------


def issuer_of(unit: Unit) -> str:
    return f"{unit.name}社会治理中心"


def doc_number(unit: Unit, year: int, serial: int) -> str:
    return f"{issuer_of(unit)}〔{year}〕{serial}号"


def build(figures: Figures, *, serial: int, issued_on: date) -> doc.Document:
    f, p = figures, figures.period
    document = doc.Document(
        masthead=f"{issuer_of(f.unit)}文件",
        doc_number=doc_number(f.unit, p.year, serial),
        title=f"关于{p.label}{f.area}矛盾纠纷调处化解工作情况的通报",
        issuer=issuer_of(f.unit),
        issued_on=issued_on,
        copy_to=(
            "市委政法委，各镇（街道）党（工）委、办事处，市级有关部门。"
            if f.unit.kind == UnitKind.COUNTY.value
            else f"{f.unit.name}党（工）委，各村（社区），各有关办线。"
        ),
    )
    sections = [
        _overview(f),
        _channels(f),
        _categories(f),
        _territory(f),
        _sources(f),
        _overdue(f),
        _warnings(f),
    ]
    if f.assessment is not None:
        sections.append(_ranking(f, f.assessment))
    for i, (heading, section) in enumerate(sections):
        section.heading = f"{doc.section_number(i)}、{heading}"
        document.sections.append(section)
    return document


def _overview(f: Figures) -> tuple[str, doc.Section]:
    c, prev = f.counts, f.previous
    supervised = sum(c.supervised.values())
    s = doc.Section("")
    s.add(
        doc.Paragraph(
            f"{f.period.label}，{f.area}共受理各类事项{c.registered}件，{change_text(c.registered, prev.registered)}；"
            f"其中矛盾纠纷{c.disputes}件，占{_share(c.disputes, c.registered)}，"
            f"{change_text(c.disputes, prev.disputes)}。"
            + "，".join(f"{rates.label(name)}{_rate_text(f.rates.get(name))}" for name in RATE_NAMES)
            + f"。本期新增超期事项{c.newly_overdue}件，发出督办{supervised}件，发布风险预警{c.warnings}条。"
        )
    )
    closed = sum(f.closed_by_level.values())
    if closed:
        split = "，".join(
            f"{label}{_share(f.closed_by_level.get(level.value, 0), closed)}"
            for level, label in HANDLING_LEVEL_LABELS.items()
            if f.closed_by_level.get(level.value)
        )
        s.add(doc.Paragraph(f"已办结的{closed}件事项中，按办结层级分：{split}。"))
    rows: list[list[doc.Cell]] = [
        ["受理事项（件）", c.registered, prev.registered, change_text(c.registered, prev.registered)],
        ["矛盾纠纷（件）", c.disputes, prev.disputes, change_text(c.disputes, prev.disputes)],
        ["新增超期（件）", c.newly_overdue, prev.newly_overdue, change_text(c.newly_overdue, prev.newly_overdue)],
        [
            "督办（件）",
            supervised,
            sum(prev.supervised.values()),
            change_text(supervised, sum(prev.supervised.values())),
        ],
        ["风险预警（条）", c.warnings, prev.warnings, change_text(c.warnings, prev.warnings)],
    ]
    for name in RATE_NAMES:
        now, before = f.rates.get(name), f.previous_rates.get(name)
        rows.append(
            [
                rates.label(name),
                doc.Pct(now.value if now else None),
                doc.Pct(before.value if before else None),
                _points_change(now, before),
            ]
        )
    s.add(doc.Table("主要指标", ["指标", "本期", "上期", "环比"], rows))
    return "总体情况", s


def _channels(f: Figures) -> tuple[str, doc.Section]:
    c = f.counts
    s = doc.Section("")
    ranked = sorted(((n, ch) for ch, n in c.by_channel.items() if n), reverse=True)
    if ranked:
        top = "、".join(f"{CHANNEL_LABELS[Channel(ch)]}{n}件" for n, ch in ranked[:3])
        s.add(doc.Paragraph(f"从受理渠道看，受理量居前的是{top}。"))
    else:
        s.add(doc.Paragraph("本期无受理事项。"))
    rows: list[list[doc.Cell]] = [
        [label, c.by_channel[ch.value], c.disputes_by_channel[ch.value], _share(c.by_channel[ch.value], c.registered)]
        for ch, label in CHANNEL_LABELS.items()
    ]
    rows.append(["合计", c.registered, c.disputes, _share(c.registered, c.registered)])
    s.add(doc.Table("各渠道受理情况", ["受理渠道", "受理事项", "其中矛盾纠纷", "占比"], rows, has_total=True))
    used = [(CHANNEL_LABELS[Channel(ch)], n) for ch, n in c.by_channel.items() if n]
    if used:
        s.add(doc.Chart("图1 各渠道受理量", charts.bar_chart("各渠道受理量（件）", *zip(*used, strict=True))))
    days = sorted(c.by_day)
    s.add(
        doc.Chart(
            "图2 每日受理量",
            charts.line_chart("每日受理量（件）", [f"{d.month}/{d.day}" for d in days], [c.by_day[d] for d in days]),
        )
    )
    return "受理渠道情况", s


def _categories(f: Figures) -> tuple[str, doc.Section]:
    c = f.counts
    s = doc.Section("")
    items = list(c.disputes_by_category.items())
    top, rest = items[:TOP_CATEGORIES], items[TOP_CATEGORIES:]
    if top:
        named = "、".join(f"{category_name(code)}{n}件" for code, n in top[:3])
        s.add(
            doc.Paragraph(
                f"从纠纷类型看，{named}位居前列，三类合计占矛盾纠纷总量的"
                f"{_share(sum(n for _, n in top[:3]), c.disputes)}。"
            )
        )
    else:
        s.add(doc.Paragraph("本期无矛盾纠纷。"))
    rows: list[list[doc.Cell]] = [[category_name(code), n, _share(n, c.disputes)] for code, n in top]
    if rest:
        others = sum(n for _, n in rest)
        rows.append(["其他类型", others, _share(others, c.disputes)])
    rows.append(["合计", c.disputes, _share(c.disputes, c.disputes)])
    s.add(doc.Table("矛盾纠纷类型分布", ["纠纷类型", "件数", "占比"], rows, has_total=True))
    if top:
        s.add(
            doc.Chart(
                "图3 矛盾纠纷类型",
                charts.bar_chart(
                    "矛盾纠纷类型（件）",
                    [category_name(code) for code, _ in top],
                    [n for _, n in top],
                    horizontal=True,
                    color=charts.RED,
                    height_cm=max(5.0, 1.0 + 0.7 * len(top)),
                ),
            )
        )
    return "矛盾纠纷类型分布", s


def _child_codes(f: Figures) -> list[str]:
    codes = list(f.scope.child_codes)
    if f.counts.children.get(SELF) and f.counts.children[SELF].registered:
        codes.append(SELF)
    return codes


def _territory(f: Figures) -> tuple[str, doc.Section]:
    c = f.counts
    s = doc.Section("")
    codes = _child_codes(f)
    busiest = sorted(codes, key=lambda k: -c.children[k].disputes)[:3]
    if c.disputes:
        s.add(
            doc.Paragraph(
                f"从属地看，矛盾纠纷较多的{f.child_kind_label}是"
                + "、".join(f"{f.child_name(k)}{c.children[k].disputes}件" for k in busiest)
                + "。"
            )
        )
    rows: list[list[doc.Cell]] = []
    for code in codes:
        row = c.children[code]
        child_rates = f.child_rates.get(code, {})
        rows.append(
            [
                f.child_name(code),
                row.registered,
                row.disputes,
                doc.Pct(child_rates["resolution_rate"].value) if "resolution_rate" in child_rates else None,
                doc.Pct(child_rates["satisfaction_rate"].value) if "satisfaction_rate" in child_rates else None,
            ]
        )
    rows.append(
        [
            "合计",
            c.registered,
            c.disputes,
            doc.Pct(f.rates["resolution_rate"].value) if "resolution_rate" in f.rates else None,
            doc.Pct(f.rates["satisfaction_rate"].value) if "satisfaction_rate" in f.rates else None,
        ]
    )
    s.add(
        doc.Table(
            f"各{f.child_kind_label}受理与化解情况",
            [f.child_kind_label, "受理事项", "矛盾纠纷", "化解率", "满意率"],
            rows,
            has_total=True,
        )
    )
    if codes:
        s.add(
            doc.Chart(
                "图4 属地矛盾纠纷",
                charts.bar_chart(
                    f"各{f.child_kind_label}矛盾纠纷（件）",
                    [f.child_name(k) for k in codes],
                    [c.children[k].disputes for k in codes],
                ),
            )
        )
    return "属地分布情况", s


def _sources(f: Figures) -> tuple[str, doc.Section]:
    c = f.counts
    s = doc.Section("")
    police, court, petitions = (
        c.by_channel[ch.value] for ch in (Channel.POLICE_110, Channel.COURT, Channel.FIRST_PETITION)
    )
    before = f.previous.by_channel
    s.add(
        doc.Paragraph(
            f"本期汇聚110纠纷类警情{police}件（{change_text(police, before[Channel.POLICE_110.value])}），"
            f"法院民商事立案{court}件（{change_text(court, before[Channel.COURT.value])}），"
            f"初信初访{petitions}件（{change_text(petitions, before[Channel.FIRST_PETITION.value])}）。"
        )
    )
    codes = _child_codes(f)
    rows: list[list[doc.Cell]] = [
        [f.child_name(k), c.children[k].police_110, c.children[k].court, c.children[k].first_petition] for k in codes
    ]
    rows.append(["合计", police, court, petitions])
    s.add(
        doc.Table(
            "警情、诉讼与初信初访",
            [f.child_kind_label, "110纠纷类警情", "法院民商事立案", "初信初访"],
            rows,
            has_total=True,
        )
    )
    return "警情、诉讼与初信初访情况", s


def _overdue(f: Figures) -> tuple[str, doc.Section]:
    c = f.counts
    s = doc.Section("")
    levels = "、".join(
        f"{SUPERVISION_LEVEL_LABELS[SupervisionLevel(level)]}{n}件" for level, n in c.supervised.items() if n
    )
    s.add(
        doc.Paragraph(
            f"本期新增超期事项{c.newly_overdue}件，截至{_day(f.now)}仍超期未办结{c.open_overdue}件。"
            + (f"本期发出督办{sum(c.supervised.values())}件，其中{levels}。" if levels else "本期未发出督办。")
        )
    )
    codes = [*_child_codes(f), *([OUTSIDE] if OUTSIDE in c.children else [])]
    rows: list[list[doc.Cell]] = [
        [f.child_name(k), c.children[k].newly_overdue, c.children[k].supervised] for k in codes
    ]
    rows.append(["合计", c.newly_overdue, sum(c.supervised.values())])
    s.add(doc.Table("超期与督办分布", [f.child_kind_label, "新增超期", "督办"], rows, has_total=True))
    if c.overdue_items:
        s.add(
            doc.Table(
                "超期未办结事项（按超期时间排序）",
                ["解纷码", "事项", "属地", "超期起始", "督办"],
                [
                    [
                        item.dispute_code,
                        item.title,
                        f.child_name(item.child),
                        f"{to_local(item.overdue_since):%Y-%m-%d}" if item.overdue_since else None,
                        SUPERVISION_LEVEL_LABELS[SupervisionLevel(item.supervision_level)]
                        if item.supervision_level
                        else "",
                    ]
                    for item in c.overdue_items
                ],
            )
        )
    return "超期与督办情况", s


def _warnings(f: Figures) -> tuple[str, doc.Section]:
    c = f.counts
    s = doc.Section("")
    if not c.top_warnings:
        s.add(doc.Paragraph("本期未发布风险预警。"))
        return "风险预警情况", s
    high = sum(1 for w in c.top_warnings if w.level == RiskLevel.HIGH.value)
    s.add(
        doc.Paragraph(
            f"本期发布风险预警{c.warnings}条，以下为风险等级最高的{len(c.top_warnings)}条"
            f"（其中高风险{high}条），请属地跟踪落实。"
        )
    )
    s.add(
        doc.Table(
            "重点风险预警",
            ["序号", "预警事项", "风险等级", "责任单位", "发布时间", "状态"],
            [
                [
                    i,
                    w.title,
                    _RISK_LABELS.get(w.level, w.level),
                    w.unit_name,
                    f"{to_local(w.created_at):%Y-%m-%d}",
                    _WARNING_STATUS.get(w.status, w.status),
                ]
                for i, w in enumerate(c.top_warnings, start=1)
            ],
        )
    )
    return "风险预警情况", s


def _ranking(f: Figures, ranking: Assessment) -> tuple[str, doc.Section]:
    s = doc.Section("")
    rules = ranking.rules
    if not ranking.units:
        s.add(doc.Paragraph("无考核对象。"))
        return "考核晾晒", s
    first, last = ranking.units[0], ranking.units[-1]
    s.add(
        doc.Paragraph(
            f"按照考核规则（满分{rules.full_score:g}分，黄牌督办每件扣{rules.penalty_for('yellow'):g}分、"
            f"红牌督办每件扣{rules.penalty_for('red'):g}分），本期{first.unit_name}以{first.score:g}分位列第一，"
            f"{last.unit_name}得分{last.score:g}分，排名末位，请对照扣分项抓好整改。"
        )
    )
    header = ["名次", rules.label, *(rates.label(m) for m in rules.metrics), "督办扣分", "得分"]
    rows: list[list[doc.Cell]] = [
        [u.rank, u.unit_name, *(m.points for m in u.metrics), -u.penalty if u.penalty else 0.0, u.score]
        for u in ranking.units
    ]
    s.add(
        doc.Table(
            f"{rules.label}考核得分排名",
            header,
            rows,
            note="各指标得分 = 分值 × min(指标值 ÷ 目标值, 1)；无可计事项的指标按满分计。"
            + "".join(
                f"{rates.label(m)}分值{r.points:g}分、目标{r.target * 100:g}%；" for m, r in rules.metrics.items()
            ),
        )
    )
    s.add(
        doc.Chart(
            "图5 考核得分",
            charts.bar_chart(
                f"{rules.label}考核得分",
                [u.unit_name for u in ranking.units],
                [u.score for u in ranking.units],
                color=charts.RED,
            ),
        )
    )
    return "考核晾晒", s
