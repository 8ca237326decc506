"""The SSDA903 return (header and episodes tables, as CSV files LAs send to the DfE) ->
the standard's children, placements, providers and settings.

An LA already keys every placement into the 903; the standard should not make anyone
key it again. What the 903 cannot give (searches, needs, costs) is left for the LA.

How episodes become placements (a placement is a stay in one home):
- a child's episodes are taken in DECOM order;
- an episode continues the placement before it when it starts the day that one ended,
  is in the same home (same PLACE, PLACE_PROVIDER and URN, and the same postcode of
  placement where both give one) and its reason for new episode (RNE) is L, T or U (a
  change of legal status, or of placement with the same carers), or it is the return to
  that home after a temporary move;
- an episode with a temporary PLACE code (T0-T4) is a placement of its own and does not
  end the placement it interrupts, which runs on across it when the child comes back
  (the standard allows T-code placements to overlap others);
- a placement starts on its first episode's DECOM and ends on its last episode's DEC;
  its end reason is the last episode's REASON_PLACE_CHANGE. The 903 records none when
  the child leaves care (REC E...) or a temporary move ends: then the end reason is
  OTHER, and the import report says so.
The placement type comes from the standard's own PLACE rules (where the rules allow
several types, the import writes Other and says so). The 903 names no provider, only its
kind (PLACE_PROVIDER PR0-PR5), so each kind becomes one placeholder provider whose
ownership comes from the standard's OwnershipEnum (its ssda903_code annotations).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sufficiency_standard.importers.common import (
    ImportReport,
    Table,
    code_of,
    empty_submission,
    find_table,
    named,
    parse_date,
    read_grids,
    standard_codes,
    unique_id,
)
from sufficiency_standard.issues import InputError
from sufficiency_standard.postcodes import generalise_postcode
from sufficiency_standard.standard import Standard, load_standard

HEADER_COLUMNS = {
    name: named(name) for name in ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
}
EPISODE_COLUMNS = {
    name: named(name)
    for name in (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    )
}
UASC_COLUMNS = {name: named(name) for name in ("CHILD", "SEX", "DOB", "DUC")}

# Header SEX: 1 and 2 in returns before 2024/25, M, F and U from then on.
_SEX = {"1": "M", "2": "F", "m": "M", "f": "F", "u": "U"}
_SAME_CARERS = ("L", "T", "U")  # RNE: legal status only, or placement with the same carers
_STARTED = "S"
_NO_URN = "XXXXXXX"  # the 903's URN for a placement that has none
_ENDED_CARE = "E"  # REC codes for ceasing to be looked after start with E
_TEMPORARY = re.compile(r"^T[0-9]$")
# Kinds of setting a PLACE code names for certain (the others could be several kinds).
_SETTING_TYPE = {
    "K1": "Secure children's home",
    "K2": "Children's home",
    "H5": "Supported accommodation",
}
_FALLBACK_TYPE = "Other"
_OTHER_REASON = "OTHER"
_LEFT_CARE = "LEFTCARE"  # the child left care: the 903 gives REC, not a reason

# Columns the standard deliberately does not hold, and why (for the import report).
_LEFT_OUT = {
    "UPN": "the standard holds no pupil number.",
    "MOTHER": "the standard does not record whether a child is a mother.",
    "MC_DOB": "the standard holds no dates of birth.",
    "LS": "the standard does not hold legal status.",
    "CIN": "the standard does not hold the category of need.",
    "HOME_POST": "the standard holds the family's location on a referral (home search), "
    "which the 903 does not describe; add it there as a postcode sector.",
}


@dataclass
class Episode:
    row: int
    child: str
    decom: dt.date
    rne: str
    place: str
    provider: str
    dec: dt.date | None
    rec: str
    reason: str
    postcode: str | None  # compact upper case, None when missing
    urn: str | None

    @property
    def temporary(self) -> bool:
        return bool(_TEMPORARY.match(self.place))

    def same_home(self, other: Episode) -> bool:
        postcodes_agree = (
            self.postcode is None or other.postcode is None or self.postcode == other.postcode
        )
        return (self.place, self.provider, self.urn) == (
            other.place,
            other.provider,
            other.urn,
        ) and (postcodes_agree)


@dataclass
class Run:
    """The episodes of one placement."""

    episodes: list[Episode] = field(default_factory=list)

    @property
    def first(self) -> Episode:
        return self.episodes[0]

    @property
    def last(self) -> Episode:
        return self.episodes[-1]


def runs_of(episodes: Sequence[Episode]) -> list[Run]:
    """One child's episodes, in DECOM order, grouped into placements (see the module's rule)."""
    runs: list[Run] = []
    current: Run | None = None
    previous: Episode | None = None
    for episode in episodes:
        if episode.temporary:
            runs.append(Run([episode]))
            previous = episode
            continue
        follows = previous is not None and previous.dec == episode.decom
        returning = previous is not None and previous.temporary
        if (
            current is not None
            and follows
            and episode.rne != _STARTED
            and current.last.same_home(episode)
            and (episode.rne in _SAME_CARERS or returning)
        ):
            current.episodes.append(episode)
        else:
            current = Run([episode])
            runs.append(current)
        previous = episode
    return runs


def placement_type_for(place_code: str, standard: Standard) -> tuple[str | None, tuple[str, ...]]:
    """The placement type the standard's PLACE rules imply, and every type they allow.

    Read from the schema's rules, so the mapping lives in one place: a rule "when
    place_code is one of ... then placement_type is one of ...".
    """
    for rule in standard.table("placements").rules:
        whens = [c for c in rule.when if c.field == "place_code" and c.values]
        thens = [c for c in rule.then if c.field == "placement_type" and c.values]
        if len(whens) == 1 and len(thens) == 1 and place_code in (whens[0].values or ()):
            allowed = thens[0].values or ()
            if len(allowed) == 1:
                return allowed[0], allowed
            return (_FALLBACK_TYPE if _FALLBACK_TYPE in allowed else None), allowed
    return None, ()


@dataclass
class _Files:
    header: Table | None = None
    episodes: Table | None = None
    uasc: Table | None = None


def _find_files(paths: Sequence[Path]) -> _Files:
    files = _Files()
    for path in paths:
        for grid in read_grids(path):
            episodes = find_table(grid, EPISODE_COLUMNS)
            if episodes is not None and {"DECOM", "PLACE"} <= set(episodes.columns):
                kind, table = "episodes", episodes
            else:
                uasc = find_table(grid, UASC_COLUMNS)
                header = find_table(grid, HEADER_COLUMNS)
                if uasc is not None and "DUC" in uasc.columns:
                    kind, table = "uasc", uasc
                elif header is not None and "CHILD" in header.columns and len(header.columns) > 1:
                    kind, table = "header", header
                else:
                    raise InputError(
                        f"{grid.name} is not a 903 header, episodes or UASC table: its "
                        "headers do not include CHILD with DOB, DECOM or DUC."
                    )
            if getattr(files, kind) is not None:
                raise InputError(f"Two 903 {kind} tables were given: give each once.")
            setattr(files, kind, table)
    if files.episodes is None:
        raise InputError(
            "No 903 episodes table was given (a CSV file with CHILD, DECOM, PLACE...)."
        )
    return files


def import_ssda903(
    paths: Sequence[str | Path],
    *,
    la_code: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    extract_date: dt.date | None = None,
    standard_version: str | None = None,
) -> tuple[dict[str, Any], ImportReport]:
    """Build a submission from 903 header, episodes and (optionally) UASC files."""
    standard = load_standard(standard_version)
    files = _find_files([Path(p) for p in paths])
    assert files.episodes is not None
    report = ImportReport(
        "SSDA903",
        [t.grid.name for t in (files.header, files.episodes, files.uasc) if t is not None],
    )
    submission = empty_submission(standard)
    for table in (files.header, files.episodes, files.uasc):
        if table is not None:
            _note_left_out(table, report)

    episodes = _episodes(files.episodes, report)
    dates = [d for e in episodes for d in (e.decom, e.dec) if d is not None]
    extract = extract_date or dt.date.today()
    if extract_date is None:
        report.add(
            "derived",
            "the extract date is the day of the import.",
            source="options",
            target="submission.extract_date",
        )
    start, end = _collection_year(dates, extract, period_start, period_end, report)
    submission.update(
        standard_version=standard.version,
        la_code=la_code,
        period_start=start,
        period_end=end,
        extract_date=extract,
        source_system="SSDA903 return",
    )
    if not la_code:
        report.add(
            "not filled",
            "the 903 files do not name the LA: give its GSS code (--la-code).",
            source="options",
            target="submission.la_code",
        )

    children = _children(files, episodes, standard, end, report)
    submission["children"] = children
    placements, providers, settings = _placements(files.episodes, episodes, standard, report)
    submission["placements"] = placements
    submission["providers"] = providers
    submission["settings"] = settings
    report.rows_written = {
        name: len(submission[name]) for name in ("children", "placements", "providers", "settings")
    }
    return submission, report


def _note_left_out(table: Table, report: ImportReport) -> None:
    for column, reason in _LEFT_OUT.items():
        if column not in table.columns:
            continue
        filled = sum(1 for _, cells in table.body if table.value(cells, column))
        if filled:
            report.add(
                "not carried", reason, source=f"{table.grid.name}, column {column}", count=filled
            )
    for _, header in table.unread_columns():
        report.add(
            "not carried",
            "not a column of the 903 table, so the importer does not know what it holds.",
            source=f"{table.grid.name}, column {header}",
        )


def _episodes(table: Table, report: ImportReport) -> list[Episode]:
    source = table.grid.name
    episodes = []
    for row, cells in table.body:
        child = (table.value(cells, "CHILD") or "").strip()
        decom_text = table.value(cells, "DECOM")
        decom = parse_date(decom_text)
        if not child or decom is None:
            what = "no CHILD" if not child else "no DECOM that reads as a date"
            report.add(
                "not carried",
                f"the episode has {what}, so it was left out.",
                source=source,
                row=row,
            )
            continue
        dec_text = table.value(cells, "DEC")
        dec = parse_date(dec_text)
        if dec_text and dec is None:
            report.add(
                "not carried",
                "DEC does not read as a date; the episode is read as open.",
                source=source,
                target="placements.end_date",
                row=row,
            )
        postcode = table.value(cells, "PL_POST")
        compact = re.sub(r"\s+", "", postcode).upper() if postcode else None
        urn = (table.value(cells, "URN") or "").strip().upper() or None
        episodes.append(
            Episode(
                row=row,
                child=child,
                decom=decom,
                rne=(table.value(cells, "RNE") or "").strip().upper(),
                place=(table.value(cells, "PLACE") or "").strip().upper(),
                provider=(table.value(cells, "PLACE_PROVIDER") or "").strip().upper(),
                dec=dec,
                rec=(table.value(cells, "REC") or "").strip().upper(),
                reason=(table.value(cells, "REASON_PLACE_CHANGE") or "").strip(),
                postcode=compact,
                urn=None if urn == _NO_URN else urn,
            )
        )
    episodes.sort(key=lambda e: (e.child, e.decom, e.row))
    return episodes


def _collection_year(
    dates: list[dt.date],
    extract: dt.date,
    period_start: dt.date | None,
    period_end: dt.date | None,
    report: ImportReport,
) -> tuple[dt.date, dt.date]:
    """The 903 collection year (1 April to 31 March) of the latest date, cut at the extract."""
    latest = max(dates, default=extract)
    year_end = dt.date(latest.year + (latest.month >= 4), 3, 31)
    if period_end is None:
        period_end = min(year_end, extract)
        report.add(
            "derived",
            "the period ends with the 903 collection year of the latest date in the episodes (or "
            "on the extract date, if earlier).",
            source="options",
            target="submission.period_end",
        )
    if period_start is None:
        period_start = dt.date(year_end.year - 1, 4, 1)
        report.add(
            "derived",
            "the period starts on 1 April of that collection year.",
            source="options",
            target="submission.period_start",
        )
    return period_start, period_end


def _children(
    files: _Files,
    episodes: list[Episode],
    standard: Standard,
    period_end: dt.date,
    report: ImportReport,
) -> list[dict[str, Any]]:
    ethnicities = standard_codes(standard, "children", "ethnicity")
    sexes = set(standard_codes(standard, "children", "sex").values())
    uasc = _uasc(files.uasc, period_end)
    children: dict[str, dict[str, Any]] = {}
    if files.header is not None:
        table, source = files.header, files.header.grid.name
        for row, cells in table.body:
            child = (table.value(cells, "CHILD") or "").strip()
            if not child:
                report.add(
                    "not carried",
                    "the row has no CHILD, so it was left out.",
                    source=source,
                    row=row,
                )
                continue
            if child in children:
                report.add(
                    "not carried",
                    "the child is in the header twice; the first row was used.",
                    source=source,
                    row=row,
                )
                continue
            record: dict[str, Any] = {"child_id": child}
            dob_text = table.value(cells, "DOB")
            dob = parse_date(dob_text)
            if dob is not None:
                record["birth_month"] = f"{dob:%Y-%m}"
            elif dob_text:
                report.add(
                    "not carried",
                    "DOB does not read as a date.",
                    source=source,
                    target="children.birth_month",
                    row=row,
                )
            sex_text = (table.value(cells, "SEX") or "").strip()
            sex = _SEX.get(sex_text.lower())
            if sex in sexes:
                record["sex"] = sex
            elif sex_text:
                report.add(
                    "not carried",
                    "SEX is not a 903 code (1, 2, M, F or U).",
                    source=source,
                    target="children.sex",
                    row=row,
                    value=sex_text,
                )
            ethnic_text = table.value(cells, "ETHNIC")
            ethnicity = code_of(ethnic_text, ethnicities)
            if ethnicity:
                record["ethnicity"] = ethnicity
            elif ethnic_text:
                report.add(
                    "not carried",
                    "ETHNIC is not a 903 ethnicity code.",
                    source=source,
                    target="children.ethnicity",
                    row=row,
                    value=ethnic_text,
                )
            if uasc is not None:
                record["uasc"] = uasc.get(child, "No")
            children[child] = record
    for episode in episodes:
        if episode.child not in children:
            children[episode.child] = {"child_id": episode.child}
            if uasc is not None:
                children[episode.child]["uasc"] = uasc.get(episode.child, "No")
            report.add(
                "not carried",
                "the child has episodes but no row in a header file, so only the ID is known.",
                source="episodes",
                target="children",
                row=episode.row,
            )
    return list(children.values())


def _uasc(table: Table | None, period_end: dt.date) -> dict[str, str] | None:
    """Child -> Yes while they are UASC (no DUC, or a DUC after the period), else No."""
    if table is None:
        return None
    status = {}
    for _, cells in table.body:
        child = (table.value(cells, "CHILD") or "").strip()
        if child:
            ceased = parse_date(table.value(cells, "DUC"))
            status[child] = "Yes" if ceased is None or ceased > period_end else "No"
    return status


def _placements(
    table: Table,
    episodes: list[Episode],
    standard: Standard,
    report: ImportReport,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    source = table.grid.name
    place_codes = set(standard_codes(standard, "placements", "place_code").values())
    end_reasons = standard_codes(standard, "placements", "end_reason")
    ownership = _ownership_by_903_code(standard)
    urn_pattern = re.compile(standard.table("settings").field("setting_urn").pattern or ".*")
    setting_types = set(standard_codes(standard, "settings", "setting_type").values())

    placements: list[dict[str, Any]] = []
    providers: dict[str, dict[str, Any]] = {}
    settings: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    by_child: dict[str, list[Episode]] = {}
    for episode in episodes:
        by_child.setdefault(episode.child, []).append(episode)

    for child, child_episodes in by_child.items():
        for run in runs_of(child_episodes):
            first, last = run.first, run.last
            rows = ", ".join(str(e.row) for e in run.episodes)
            placement: dict[str, Any] = {
                "placement_id": unique_id(f"{child}-{first.decom:%Y%m%d}", taken),
                "child_id": child,
                "start_date": first.decom,
                "end_date": last.dec,
            }
            if len(run.episodes) > 1:
                report.add(
                    "derived",
                    "several episodes in one home were joined into one placement.",
                    source=source,
                    target="placements",
                    row=first.row,
                    value=f"rows {rows}",
                )
            # -- PLACE and the placement type it implies
            if first.place in place_codes:
                placement["place_code"] = first.place
                placement_type, allowed = placement_type_for(first.place, standard)
                if not allowed:
                    placement_type = _FALLBACK_TYPE
                    report.add(
                        "derived",
                        "no rule of the standard ties this PLACE code to a type of placement, so "
                        f"{placement_type} was written.",
                        source=source,
                        target="placements.placement_type",
                        row=first.row,
                        value=first.place,
                    )
                elif len(allowed) > 1:
                    report.add(
                        "derived",
                        f"the standard allows {' or '.join(allowed)} for this PLACE code; "
                        f"{placement_type} was written: change it if another fits.",
                        source=source,
                        target="placements.placement_type",
                        row=first.row,
                        value=first.place,
                    )
                placement["placement_type"] = placement_type
            else:
                report.add(
                    "not filled",
                    "PLACE is not a 903 placement code, so the placement type is not known.",
                    source=source,
                    target="placements.placement_type",
                    row=first.row,
                    value=first.place or "(blank)",
                )
            # -- the provider: a placeholder for its kind
            provider_id = _provider(first.provider, ownership, providers)
            placement["provider_id"] = provider_id
            report.add(
                "placeholder",
                "the 903 gives only the kind of provider (PLACE_PROVIDER), so the placement points"
                " at a placeholder provider for that kind: replace it with the provider's Ofsted "
                "reference if you have it.",
                source=source,
                target="placements.provider_id",
            )
            # -- the setting (URN)
            if first.urn:
                if urn_pattern.match(first.urn):
                    placement["setting_urn"] = first.urn
                    if first.urn not in settings:
                        setting: dict[str, Any] = {
                            "setting_urn": first.urn,
                            "provider_id": provider_id,
                        }
                        kind = _SETTING_TYPE.get(first.place)
                        if kind in setting_types:
                            setting["setting_type"] = kind
                        settings[first.urn] = setting
                else:
                    report.add(
                        "not carried",
                        "URN is not an Ofsted URN (SC and 6 digits, or 7 digits).",
                        source=source,
                        target="placements.setting_urn",
                        row=first.row,
                        value=first.urn,
                    )
            # -- where the home is, to a postcode sector
            postcode = next((e.postcode for e in run.episodes if e.postcode), None)
            if postcode is None:
                report.add(
                    "not carried",
                    "no postcode of placement (PL_POST) is given.",
                    source=source,
                    target="placements.placement_location",
                    row=first.row,
                )
            else:
                sector = generalise_postcode(postcode)
                if sector is None:
                    report.add(
                        "not carried",
                        "PL_POST is not a postcode.",
                        source=source,
                        target="placements.placement_location",
                        row=first.row,
                    )
                else:
                    placement["placement_location"] = sector
            # -- how it ended
            if last.dec is not None:
                reason = code_of(last.reason, end_reasons)
                if reason is not None:
                    placement["end_reason"] = reason
                elif last.reason:
                    report.add(
                        "not filled",
                        "REASON_PLACE_CHANGE is not a 903 code.",
                        source=source,
                        target="placements.end_reason",
                        row=last.row,
                        value=last.reason,
                    )
                elif last.rec.startswith(_ENDED_CARE) and not last.temporary:
                    placement["end_reason"] = _LEFT_CARE
                    report.add(
                        "derived",
                        f"the child left care (REC {last.rec}), so {_LEFT_CARE} was written.",
                        source=source,
                        target="placements.end_reason",
                        row=last.row,
                    )
                elif last.temporary:
                    placement["end_reason"] = _OTHER_REASON
                    report.add(
                        "derived",
                        "the temporary move ended: the 903 records no reason for placement "
                        f"change then and the standard has no code for it, so {_OTHER_REASON} "
                        "was written.",
                        source=source,
                        target="placements.end_reason",
                        row=last.row,
                    )
                else:
                    report.add(
                        "not filled",
                        "the placement ended but REASON_PLACE_CHANGE is blank.",
                        source=source,
                        target="placements.end_reason",
                        row=last.row,
                    )
            placements.append(placement)
    return placements, list(providers.values()), list(settings.values())


def _ownership_by_903_code(standard: Standard) -> dict[str, str]:
    spec = standard.table("providers").field("ownership")
    values = spec.code_list.values if spec.code_list else ()
    return {v.ssda903_code: v.value for v in values if v.ssda903_code}


def _provider(code: str, ownership: dict[str, str], providers: dict[str, dict[str, Any]]) -> str:
    """The placeholder provider for a PLACE_PROVIDER code (or for none)."""
    known = bool(re.fullmatch(r"PR[0-9]", code))
    provider_id = f"SSDA903-{code}" if known else "SSDA903-NOT-GIVEN"
    if provider_id not in providers:
        name = (
            f"Provider not identified (SSDA903 PLACE_PROVIDER {code})"
            if known
            else "Provider not identified (no PLACE_PROVIDER in the 903)"
        )
        record: dict[str, Any] = {"provider_id": provider_id, "provider_name": name}
        if code in ownership:
            record["ownership"] = ownership[code]
        providers[provider_id] = record
    return provider_id
