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
- an episode with a temporary PLACE code (T0-T4: hospital, holiday, respite while the
  carers are away, a stay of seven days or less) is not a placement: it is no home that a
  search found, and the DfE does not count it as a move. The placement it interrupts
  runs on across it when the child comes back; the import report lists each one;
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
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from sufficiency_standard.importers.common import (
    Grid,
    ImportOptions,
    ImportOutput,
    RowNotes,
    SourceRow,
    SubmissionBuilder,
    Table,
    code_of,
    find_table,
    named,
    parse_date,
    read_grids,
    standard_codes,
)
from sufficiency_standard.issues import InputError
from sufficiency_standard.postcodes import compact_postcode
from sufficiency_standard.read.headers import HEADER_SEARCH_ROWS, first_line, normalise
from sufficiency_standard.shipped import compiled_standard
from sufficiency_standard.standard import CodeValue, Standard, load_standard

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
LA_COLUMNS = {"LA": named("LA", "LA_CODE", "LA code", "Local authority")}

# The other tables of a 903 return, known by a column only they have: the standard
# holds none of what they record, so a folder's copy of them is named in the report
# and left out rather than mistaken for the header.
_OTHER_TABLES: dict[str, tuple[str, str]] = {
    "MIS_START": ("missing", "episodes of being missing or away from placement"),
    "MISSING": ("missing", "episodes of being missing or away from placement"),
    "SDQ_SCORE": ("OC2", "outcomes of children looked after for a year (health, offending)"),
    "HEALTH_CHECK": ("OC2", "outcomes of children looked after for a year (health, offending)"),
    "IN_TOUCH": ("OC3", "care leavers' activity and accommodation"),
    "DATE_INT": ("AD1", "adoption decisions and adopters"),
    "DATE_PLACED": ("placed for adoption", "decisions to place for adoption"),
    "REVIEW_CODE": ("reviews", "reviews and participation"),
    "REVIEW": ("reviews", "reviews and participation"),
    "PREV_PERM": ("previous permanence", "permanence before care"),
    "SW_DECOM": ("social worker episodes", "social worker episodes"),
    "SW_ID": ("social worker episodes", "social worker episodes"),
}
# The 903 reasons for a new episode (RNE), from the schema's code list: which keep the
# carers (L: legal status only; T and U: a change of placement with the same carers).
_RNE = {
    v["value"]: v.get("carers_kept") == "true"
    for v in compiled_standard()["enums"]["Ssda903NewEpisodeReasonEnum"]["values"]
}
_RNE_CODES = tuple(_RNE)
_FILE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")

# Header SEX: 1 and 2 in returns before 2024/25, M, F and U from then on.
_SEX = {"1": "M", "2": "F", "m": "M", "f": "F", "u": "U"}
_SAME_CARERS = tuple(code for code, kept in _RNE.items() if kept)
_LEGAL_STATUS_ONLY = "L"
_CARERS_KEPT = tuple(code for code in _SAME_CARERS if code != _LEGAL_STATUS_ONLY)
_STARTED = "S"
_NO_URN = "XXXXXXX"  # the 903's URN for a placement that has none
_ENDED_CARE = "E"  # REC codes for ceasing to be looked after start with E
_TEMPORARY = re.compile(r"^T[0-9]$")
# Kinds of setting a PLACE code names for certain (the others could be several kinds).
_SETTING_TYPE = {
    "K1": "Secure children's home",
    "K2": "Children's home",
    "K3": "Supported accommodation",
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
    """The episodes of one placement; `same_carers` are those joined because the 903 says
    the carers stayed the same (RNE T or U) though PLACE, URN or postcode changed."""

    episodes: list[Episode] = field(default_factory=list)
    same_carers: list[Episode] = field(default_factory=list)

    @property
    def first(self) -> Episode:
        return self.episodes[0]

    @property
    def last(self) -> Episode:
        return self.episodes[-1]


def runs_of(
    episodes: Sequence[Episode], same_kind: Callable[[str, str], bool] | None = None
) -> list[Run]:
    """One child's episodes, in DECOM order, grouped into placements (see the module's rule).

    `same_kind(place, place)` says whether two PLACE codes are one type of placement: an
    episode with the same carers (RNE T or U) in a home of the same type continues the
    placement even when PLACE, URN or postcode changed (a U6 -> U4 change is no move).
    """
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
        joins = current is not None and follows and episode.rne != _STARTED
        if (
            joins
            and current is not None
            and current.last.same_home(episode)
            and (episode.rne in _SAME_CARERS or returning)
        ):
            current.episodes.append(episode)
        elif (
            joins
            and current is not None
            and not returning
            and episode.rne in _CARERS_KEPT
            and same_kind is not None
            and same_kind(current.last.place, episode.place)
        ):
            current.episodes.append(episode)
            current.same_carers.append(episode)
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
    # The other 903 tables found (a whole return's folder): the file, what the table is,
    # what it records and its number of rows, for the import report.
    left: list[tuple[str, str, str, int]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in a folder that are no 903 table

    @property
    def given(self) -> list[Table]:
        return [t for t in (self.header, self.episodes, self.uasc) if t is not None]


def _expand(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Each file given, and each file of a folder given (True: found in a folder)."""
    files: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _FILE_SUFFIXES
            )
            if not inside:
                raise InputError(f"{path} holds no CSV file or workbook to import.")
            files += [(p, True) for p in inside]
        else:
            files.append((path, False))
    return files


def _kind_of(grid: Grid) -> tuple[str, Table | None]:
    """Which 903 table a grid is, by its columns: episodes, uasc, header, another 903
    table's name, or "" when it is none."""
    episodes = find_table(grid, EPISODE_COLUMNS)
    if episodes is not None and {"DECOM", "PLACE"} <= set(episodes.columns):
        return "episodes", episodes
    names = {
        normalise(first_line(cell))
        for row in grid.rows[:HEADER_SEARCH_ROWS]
        for cell in row
        if cell
    }
    for column, (kind, _) in _OTHER_TABLES.items():
        if normalise(column) in names:
            return kind, None
    uasc = find_table(grid, UASC_COLUMNS)
    if uasc is not None and "DUC" in uasc.columns:
        return "uasc", uasc
    header = find_table(grid, HEADER_COLUMNS)
    if header is not None and "CHILD" in header.columns and len(header.columns) > 1:
        return "header", header
    return "", None


def _find_files(paths: Sequence[Path]) -> _Files:
    files = _Files()
    descriptions = {kind: what for kind, what in _OTHER_TABLES.values()}
    for path, in_folder in _expand(paths):
        for grid in read_grids(path):
            kind, table = _kind_of(grid)
            if not kind:
                if in_folder:
                    files.skipped.append(grid.name)
                    continue
                raise InputError(
                    f"{grid.name} is not a 903 table: its headers do not include CHILD with "
                    "DOB, DECOM or DUC, nor the columns of another 903 table."
                )
            if table is None:
                rows = sum(1 for row in grid.rows[1:] if any(row))
                files.left.append((grid.name, kind, descriptions[kind], rows))
                continue
            _one_la(table)
            given = getattr(files, kind)
            if given is not None:
                raise InputError(
                    f"Two 903 {kind} tables were given ({given.grid.name} and {grid.name}): "
                    "a submission is one LA's return for one year, so give each table once."
                )
            setattr(files, kind, table)
    if files.episodes is None:
        raise InputError(
            "No 903 episodes table was given (a CSV file with CHILD, DECOM, PLACE...)."
        )
    return files


def _one_la(table: Table) -> None:
    """Refuse a table whose LA column names several LAs: a submission is one LA's, and
    merging them would count one LA's children as another's."""
    la = find_table(table.grid, LA_COLUMNS)
    if la is None or "LA" not in la.columns or la.header_row != table.header_row:
        return
    names = sorted({(la.value(cells, "LA") or "").strip() for _, cells in la.body} - {""})
    if len(names) > 1:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise InputError(
            f"{table.grid.name}: column LA holds {len(names)} LAs ({shown}). A submission is "
            "one LA's: split the file by LA and import each LA's rows on its own."
        )


def import_ssda903(paths: Sequence[str | Path], **options: Unpack[ImportOptions]) -> ImportOutput:
    """Build a submission from 903 files (header, episodes and optionally UASC), or from a
    folder holding a whole 903 return: its other tables are named in the report."""
    standard = load_standard(options.get("standard_version"))
    files = _find_files([Path(p) for p in paths])
    return _Ssda903(standard, files, options).build()


class _Ssda903(SubmissionBuilder):
    """The header and UASC tables become children; the episodes, placements (by the
    module's rules) with placeholder providers for their kinds."""

    title = "SSDA903"
    tables_written = ("children", "placements", "providers", "settings")

    def __init__(self, standard: Standard, files: _Files, options: ImportOptions):
        super().__init__(standard, files.given, options)
        assert files.episodes is not None
        self.files = files
        self.episodes_table = files.episodes
        self.ethnicities = standard_codes(standard, "children", "ethnicity")
        self.sexes = set(standard_codes(standard, "children", "sex").values())
        place_list = standard.table("placements").field("place_code").code_list
        self.place_codes = {v.value: v for v in (place_list.values if place_list else ())}
        self.end_reasons = standard_codes(standard, "placements", "end_reason")
        self.ownership = _ownership_by_903_code(standard)
        self.setting_types = set(standard_codes(standard, "settings", "setting_type").values())

    def build(self) -> ImportOutput:
        for table in self.files.given:
            self._note_left_out(table)
        for name, kind, what, rows in self.files.left:
            self.report.add(
                "not carried",
                f"the 903 {kind} table ({what}): the standard holds none of it.",
                source=name,
                count=max(rows, 1),
            )
        for name in self.files.skipped:
            self.report.add(
                "not carried", "the file in the folder is not a 903 table.", source=name
            )
        extract = self.extract_date()
        episodes = self._episodes(extract)
        start, end = self._collection_year(episodes, extract)
        self.period = (start, end)
        la_code = self.options.get("la_code")
        self.need_la_code(
            la_code, "the 903 files do not name the LA: give its GSS code (--la-code)."
        )
        self._add_children(episodes, end)
        by_child: dict[str, list[Episode]] = {}
        for episode in episodes:
            by_child.setdefault(episode.child, []).append(episode)
        for child, child_episodes in by_child.items():
            for run in runs_of(child_episodes, self._same_kind):
                if run.first.temporary:
                    self._note_temporary(run.first)
                else:
                    self._add_placement(child, run)
        self._note_outside_period(episodes, start, end)
        return self.finish(la_code, start, end, extract, source_system="SSDA903 return")

    def _note_left_out(self, table: Table) -> None:
        """The columns the standard has no place for, counted per table, and those the 903
        does not have."""
        for column, reason in _LEFT_OUT.items():
            if column not in table.columns:
                continue
            filled = sum(1 for _, cells in table.body if table.value(cells, column))
            if filled:
                source = f"{table.grid.name}, column {column}"
                self.report.add("not carried", reason, source=source, count=filled)
        self.note_unread_columns(
            table, "not a column of the 903 table, so the importer does not know what it holds."
        )

    def _episodes(self, extract: dt.date) -> list[Episode]:
        episodes: list[Episode] = []
        unreadable_end: list[tuple[Episode, SourceRow]] = []
        for row in self.rows_of(self.episodes_table):
            child = row.text("CHILD")
            decom = parse_date(row.value("DECOM"))
            if not child or decom is None:
                what = "no CHILD" if not child else "no DECOM that reads as a date"
                row.note("not carried", f"the episode has {what}, so it was left out.")
                continue
            dec_text = row.value("DEC")
            dec = parse_date(dec_text)
            rne = row.text("RNE").upper()
            if rne and rne not in _RNE_CODES:
                row.note(
                    "not carried",
                    f"RNE is not a 903 reason for new episode ({', '.join(_RNE_CODES)}), so "
                    "the episode is read as a change of placement (P).",
                    "placements",
                    rne,
                )
            postcode = row.value("PL_POST")
            urn = row.text("URN").upper() or None
            episode = Episode(
                row=row.row_number,
                child=child,
                decom=decom,
                rne=rne,
                place=row.text("PLACE").upper(),
                provider=row.text("PLACE_PROVIDER").upper(),
                dec=dec,
                rec=row.text("REC").upper(),
                reason=row.text("REASON_PLACE_CHANGE"),
                postcode=compact_postcode(postcode) if postcode else None,
                urn=None if urn == _NO_URN else urn,
            )
            episodes.append(episode)
            if dec_text and dec is None:
                unreadable_end.append((episode, row))
        episodes.sort(key=lambda e: (e.child, e.decom, e.row))
        return self._end_unreadable(episodes, unreadable_end)

    def _end_unreadable(
        self, episodes: list[Episode], unreadable: list[tuple[Episode, SourceRow]]
    ) -> list[Episode]:
        """An episode whose DEC does not read as a date did end (a blank DEC is an open
        one): it ends when the child's next episode starts, and the last episode of a
        child is left out. Read as open, one bad cell would overlap every later episode."""
        if not unreadable:
            return episodes
        following = {
            id(episode): after
            for episode, after in itertools.pairwise(episodes)
            if after.child == episode.child
        }
        dropped: set[int] = set()
        for episode, row in unreadable:
            after = following.get(id(episode))
            if after is not None:
                episode.dec = after.decom
                row.note(
                    "derived",
                    "DEC does not read as a date, so the episode ends when the child's next "
                    "episode starts (its DECOM).",
                    "placements.end_date",
                    row.value("DEC"),
                )
            else:
                dropped.add(id(episode))
                row.note(
                    "not carried",
                    "DEC does not read as a date and no later episode of the child says when "
                    "it ended, so the episode was left out rather than read as open.",
                    "placements.end_date",
                    row.value("DEC"),
                )
        return [e for e in episodes if id(e) not in dropped]

    def _collection_year(
        self, episodes: list[Episode], extract: dt.date
    ) -> tuple[dt.date, dt.date]:
        """The 903 collection year (1 April to 31 March) most episodes are live in, cut at
        the extract, unless the options give the period.

        A 903 return covers one collection year, so its year is the one most episodes
        overlap (the later on a tie): a stray date a year out moves nothing.
        """
        period_end = self.options.get("period_end")
        period_start = self.options.get("period_start")
        year_end = _busiest_year_end(episodes, extract)
        if period_end is None:
            period_end = min(year_end, extract)
            self.note_option(
                "derived",
                "period_end",
                "the period ends with the 903 collection year most episodes are live in "
                f"({year_end.year - 1}/{year_end:%y}), or on the extract date if earlier.",
            )
        if period_start is None:
            period_start = dt.date(period_end.year - (period_end.month < 4), 4, 1)
            reason = "the period starts on 1 April of that collection year."
            self.note_option("derived", "period_start", reason)
        return period_start, period_end

    def _note_outside_period(self, episodes: list[Episode], start: dt.date, end: dt.date) -> None:
        """Say so when most episodes are not live in the period: the files are of another
        year than the period given, or the dates are wrong."""
        outside = [e for e in episodes if e.decom > end or (e.dec is not None and e.dec < start)]
        if episodes and len(outside) * 2 > len(episodes):
            self.report.add(
                "not filled",
                f"{len(outside)} of {len(episodes)} episodes are not live in the period "
                f"({start} to {end}): check the period given, or that the files are of "
                "that collection year.",
                source=self.episodes_table.grid.name,
                target="submission.period_start",
            )

    def _same_kind(self, first: str, second: str) -> bool:
        """Two PLACE codes the standard ties to one type of placement (so the same carers
        in both are one home). "Other" gathers unlike arrangements (placed for adoption,
        with parents, in a hospital), so two of its codes are never the same home."""
        one = placement_type_for(first, self.standard)
        other = placement_type_for(second, self.standard)
        return bool(one[1]) and len(one[1]) == 1 and one[1] == other[1] and "Other" not in one[1]

    def _add_children(self, episodes: list[Episode], period_end: dt.date) -> None:
        """The children of the header file, then those only the episodes name."""
        uasc = _uasc(self.files.uasc, period_end)
        if self.files.header is not None:
            for row in self.rows_of(self.files.header):
                self._add_header_child(row, uasc)
        for episode in episodes:
            if episode.child not in self.children:
                record = self.child(episode.child)
                if uasc is not None:
                    record["uasc"] = uasc.get(episode.child, "No")
                self.report.add(
                    "not carried",
                    "the child has episodes but no row in a header file, so only the ID is known.",
                    source=self.episodes_table.grid.name,
                    target="children",
                    row=episode.row,
                )

    def _add_header_child(self, row: SourceRow, uasc: dict[str, str] | None) -> None:
        child = self.child_id(row, "CHILD")
        if child is None:
            return
        if child in self.children:
            row.note("not carried", "the child is in the header twice; the first row was used.")
            return
        record = self.child(child)
        dob_text = row.value("DOB")
        dob = parse_date(dob_text)
        if dob is not None:
            record["birth_month"] = f"{dob:%Y-%m}"
        elif dob_text:
            row.note("not carried", "DOB does not read as a date.", "children.birth_month")
        sex_unknown = "SEX is not a 903 code (1, 2, M, F or U)."
        if sex := self.code(row, "SEX", "children.sex", self._sex_code, sex_unknown):
            record["sex"] = sex
        ethnic_unknown = "ETHNIC is not a 903 ethnicity code."
        if ethnicity := self.code(
            row, "ETHNIC", "children.ethnicity", self.ethnicities, ethnic_unknown
        ):
            record["ethnicity"] = ethnicity
        if uasc is not None:
            record["uasc"] = uasc.get(child, "No")

    def _sex_code(self, text: str) -> str | None:
        sex = _SEX.get(text.strip().lower())
        return sex if sex in self.sexes else None

    def _note_temporary(self, episode: Episode) -> None:
        RowNotes(self.report, self.episodes_table.grid.name, episode.row).note(
            "not carried",
            "a temporary move (PLACE T0-T4) is not a placement: it is no home a search found "
            "and not a move; the placement it interrupts runs on across it when the child "
            "comes back.",
            "placements",
            episode.place,
        )

    def _add_placement(self, child: str, run: Run) -> None:
        """One placement from a run of episodes: its first gives the home, its last the end."""
        first, last = run.first, run.last
        source = self.episodes_table.grid.name
        at_first = RowNotes(self.report, source, first.row)
        placement: dict[str, Any] = {
            "placement_id": self.placement_id(child, first.decom, first.row),
            "child_id": child,
            "start_date": first.decom,
            "end_date": last.dec,
        }
        if len(run.episodes) > 1:
            rows = ", ".join(str(e.row) for e in run.episodes)
            at_first.note(
                "derived",
                "several episodes in one home were joined into one placement.",
                "placements",
                f"rows {rows}",
            )
        for episode in run.same_carers:
            RowNotes(self.report, source, episode.row).note(
                "derived",
                "the carers stayed the same (RNE T or U) though PLACE, URN or postcode changed,"
                " so the episode continues the placement: one home, not a move. The placement"
                " keeps its first episode's PLACE code and setting.",
                "placements",
                f"{first.place} -> {episode.place}",
            )
        self._place_type(placement, first.place, at_first)
        provider_id = self.provider(
            *_placeholder_provider(first.provider), ownership=self.ownership.get(first.provider)
        )
        placement["provider_id"] = provider_id
        self.report.add(
            "placeholder",
            "the 903 gives only the kind of provider (PLACE_PROVIDER), so the placement points"
            " at a placeholder provider for that kind: replace it with the provider's Ofsted "
            "reference if you have it.",
            source=source,
            target="placements.provider_id",
        )
        kind = _SETTING_TYPE.get(first.place)
        setting_type = {"setting_type": kind} if kind in self.setting_types else {}
        self.place_in_setting(
            at_first, placement, first.urn, provider_id, "URN", lambda: setting_type
        )
        postcode = next((e.postcode for e in run.episodes if e.postcode), None)
        if postcode is None:
            at_first.note(
                "not carried",
                "no postcode of placement (PL_POST) is given.",
                "placements.placement_location",
            )
        self.locate(at_first, placement, postcode, "PL_POST is not a postcode.")
        if last.dec is not None:
            self._end_reason(placement, last, RowNotes(self.report, source, last.row))
        self.submission["placements"].append(placement)

    def _place_type(self, placement: dict[str, Any], place: str, at: RowNotes) -> None:
        """PLACE, and the placement type the standard's rules tie it to."""
        code = self.place_codes.get(place)
        if code is None:
            at.note(
                "not filled",
                "PLACE is not a 903 placement code, so the placement type is not known.",
                "placements.placement_type",
                place or "(blank)",
            )
            return
        self._note_code_year(code, at)
        placement["place_code"] = place
        placement_type, allowed = placement_type_for(place, self.standard)
        if not allowed:
            placement_type = _FALLBACK_TYPE
            at.note(
                "derived",
                "no rule of the standard ties this PLACE code to a type of placement, so "
                f"{placement_type} was written.",
                "placements.placement_type",
                place,
            )
        elif len(allowed) > 1:
            at.note(
                "derived",
                f"the standard allows {' or '.join(allowed)} for this PLACE code; "
                f"{placement_type} was written: change it if another fits.",
                "placements.placement_type",
                place,
            )
        placement["placement_type"] = placement_type

    def _note_code_year(self, code: CodeValue, at: RowNotes) -> None:
        """A PLACE code used outside the collection years the schema gives it
        (in_force_from, in_force_until): carried, with a note to check it."""
        start, end = self.period
        until, since = code.last_day, code.first_day
        if until is not None and start > until:
            at.note(
                "derived",
                f"PLACE {code.value} was retired after {until.year - 1}/{until:%y} (the last "
                "day it may be used is "
                f"{until}); it was carried as given, but a return for this period should "
                "use a current code.",
                "placements.place_code",
                code.value,
            )
        elif since is not None and end < since:
            at.note(
                "derived",
                f"PLACE {code.value} is used from {since.year}/{since.year + 1 - 2000} "
                f"({since}); it was carried as given, but it was not a code in this period.",
                "placements.place_code",
                code.value,
            )

    def _end_reason(self, placement: dict[str, Any], last: Episode, at: RowNotes) -> None:
        """How the placement ended: REASON_PLACE_CHANGE, or what REC or a temporary move
        implies when the 903 records no reason."""
        reason = code_of(last.reason, self.end_reasons)
        if reason is not None:
            placement["end_reason"] = reason
        elif last.reason:
            at.note(
                "not filled",
                "REASON_PLACE_CHANGE is not a 903 code.",
                "placements.end_reason",
                last.reason,
            )
        elif last.rec.startswith(_ENDED_CARE) and not last.temporary:
            placement["end_reason"] = _LEFT_CARE
            at.note(
                "derived",
                f"the child left care (REC E...), so {_LEFT_CARE} was written.",
                "placements.end_reason",
                last.rec,
            )
        elif last.temporary:
            placement["end_reason"] = _OTHER_REASON
            at.note(
                "derived",
                "the temporary move ended: the 903 records no reason for placement change then "
                f"and the standard has no code for it, so {_OTHER_REASON} was written.",
                "placements.end_reason",
            )
        else:
            at.note(
                "not filled",
                "the placement ended but REASON_PLACE_CHANGE is blank.",
                "placements.end_reason",
            )


def _busiest_year_end(episodes: Sequence[Episode], extract: dt.date) -> dt.date:
    """The 31 March ending the collection year most episodes are live in (the later on
    a tie); the extract's collection year when there are none."""

    def year_end(day: dt.date) -> int:
        return day.year + (day.month >= 4)

    live: dict[int, int] = {}
    for episode in episodes:
        last = year_end(min(episode.dec or extract, extract))
        for year in range(year_end(episode.decom), max(last, year_end(episode.decom)) + 1):
            live[year] = live.get(year, 0) + 1
    if not live:
        return dt.date(year_end(extract), 3, 31)
    best = max(live, key=lambda year: (live[year], year))
    return dt.date(best, 3, 31)


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


def _ownership_by_903_code(standard: Standard) -> dict[str, str]:
    spec = standard.table("providers").field("ownership")
    values = spec.code_list.values if spec.code_list else ()
    return {v.ssda903_code: v.value for v in values if v.ssda903_code}


def _placeholder_provider(code: str) -> tuple[str, str]:
    """The ID and name of the placeholder provider for a PLACE_PROVIDER code (or for none)."""
    if re.fullmatch(r"PR[0-9]", code):
        return f"SSDA903-{code}", f"Provider not identified (SSDA903 PLACE_PROVIDER {code})"
    return "SSDA903-NOT-GIVEN", "Provider not identified (no PLACE_PROVIDER in the 903)"
