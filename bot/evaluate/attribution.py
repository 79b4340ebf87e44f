"""Who-said-it on PolNeAR: stored speakers against annotated attribution relations.

Dataset: a folder of `NAME.txt` (first line the headline) and `NAME.ann` (brat standoff) pairs,
as in the PolNeAR corpus (Newell, Margolin and Ruths, LREC 2018), or its root with `--split`.

Each article goes through the normal pipeline (`read_file`, then `build_passages`, as
`python -m bot ingest` stores it). Each stored sentence is located in the .txt, so it has
character offsets. A relation is *judged* when it has a Source that is not a pronoun; its
*sentences* are the stored sentences that overlap its Content. Then:

- a judged relation is **right** when every one of its sentences is credited to a speaker that
  matches its Source (relations in the headline, or whose Content no stored sentence overlaps,
  are counted as unplaced and left out);
- **speech-verb recall** is over judged relations whose Cue holds a speech verb or phrase
  (`SPEECH_WORDS`: said, told, according to, wrote, added, ...); **all-relations recall** is
  over every judged relation;
- **precision** is over stored sentences that the bot credits to a named speaker and that
  overlap at least one judged relation: right when the speaker matches the Source of any
  relation the sentence overlaps. Named sentences that overlap no relation at all are counted
  separately (`named_outside`), since the gold says nobody is cited there.

A predicted speaker matches a gold Source (`same_speaker`) when, after lower-casing, dropping
possessives, articles, titles ("Sen.", "Secretary of State", "Mr.") and anything after the core
noun phrase (a comma, "who", "of", "for", ...), the head word (last word) of one phrase occurs
among the core words of the other: "Clinton" matches "Hillary Clinton", "the campaign" matches
"Clinton's campaign", "a spokesman" does not match "the senator". A phrase that is a title
alone keeps its titles: "the president" matches "President Barack Obama", not "Gov. Lee".

Failure kinds for a judged relation that is not right, from its first sentence that is wrong:
`no speaker` (no speaker and no outlet), `outlet fallback` (credited to the outlet) or `wrong
speaker` (a named speaker that does not match).
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.evaluate import print_report
from bot.evaluate.seed import GOLD_FILE, _load, attribution_accuracy, default_article
from bot.ingest import read_file
from bot.library import Library, build_passages
from bot.models import BotError, IngestError, Passage
from bot.settings import Settings


def _word_set(spaced: str) -> frozenset[str]:
    """A frozenset from space-separated words (long word lists read better as prose)."""
    return frozenset(spaced.split())


PRONOUN_SOURCES = _word_set(
    "i me my we us our you your he him his she her it its they them their this that these "
    "those who which one himself herself themselves itself "
)
SPEECH_WORDS = _word_set(
    "say says said saying tell tells told telling according add adds added adding write "
    "writes wrote writing ask asks asked asking reply replies replied respond responds "
    "responded note notes noted explain explains explained tweet tweets tweeted tweeting "
    "warn warns warned state states stated announce announces announced claim claims claimed "
    "argue argues argued insist insists insisted acknowledge acknowledged admit admits "
    "admitted declare declared deny denies denied stress stressed testify testified recall "
    "recalled concede conceded assure assured promise promises promised vow vowed call calls "
    "called quote quoted quoting remark remarked repeat repeated report reported reports "
    "suggest suggested suggests predict predicted confirm "
    "confirmed accuse accused joke joked boast boasted complain complained mention mentioned "
    "reiterate reiterated recount recounted describe described "
)
TITLE_WORDS = _word_set(
    "mr mrs ms miss dr rep sen gov gen lt col sgt prof rev president vice senator "
    "representative congressman congresswoman governor secretary state former presidential "
    "candidate nominee democratic republican gop chairman chairwoman sir lord mayor speaker "
    "house senate majority minority leader attorney general u.s. us democrat republican "
    "independent libertarian green party first lady "
)
SPEECH_PHRASES = ("pointed out", "points out", "point out", "went on to say", "go on to say")
ARTICLES = frozenset({"the", "a", "an"})
CORE_END = re.compile(r",|\(|\s(?:of|for|at|from|in|who|whose|which|that|with|on|to)\s")
# "Secretary of State John Kerry": the "of" belongs to the title, so cut before the name.
TITLE_OF = re.compile(
    r"^.*?\b(?:Secretary|Minister|Director|Chairman|Chairwoman|President|Governor|Mayor)\s+of"
    r"\s+(?:the\s+)?(?:State|Defen[cs]e|Homeland Security|Treasury|Labor|Health|Commerce|"
    r"Energy|Education|Justice|Agriculture|Transportation|Interior)\s+(?=[A-Z])"
)
WORD = re.compile(r"[\w.&'\u2019-]+")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Relation:
    """One annotated attribution: the Source text (None if implicit), Cue text, Content spans."""

    source: str | None
    cue: str
    content: tuple[tuple[int, int], ...]

    @property
    def judged(self) -> bool:
        """Has a Source that is a name or noun phrase, not a pronoun."""
        return self.source is not None and not is_pronoun(self.source)

    @property
    def speech(self) -> bool:
        """The Cue holds a speech verb or phrase."""
        cue = " ".join(self.cue.lower().split())
        return any(word in SPEECH_WORDS for word in cue.split()) or any(
            phrase in cue for phrase in SPEECH_PHRASES
        )


@dataclass(frozen=True)
class Placed:
    """A stored sentence and its character span in the article's .txt."""

    passage: Passage
    start: int
    end: int


@dataclass
class Tally:
    """Right and total counts, with the share."""

    right: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        """right / total, 0 when there is nothing to count."""
        return self.right / self.total if self.total else 0.0

    def add(self, ok: bool) -> None:
        """Count one case."""
        self.total += 1
        self.right += ok


@dataclass
class AttributionReport:
    """Recall, precision and where the misses come from."""

    dataset: str
    articles: int = 0
    sentences: int = 0
    unplaced_sentences: int = 0  # stored sentences not found in the .txt
    relations: int = 0  # with a non-pronoun Source
    unplaced_relations: int = 0  # in the headline, or overlapping no stored sentence
    speech_recall: Tally = field(default_factory=Tally)
    all_recall: Tally = field(default_factory=Tally)
    precision: Tally = field(default_factory=Tally)
    named_outside: int = 0  # named speakers on sentences that no relation covers
    by_cue: dict[str, Tally] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)
    speech_failures: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, str]] = field(default_factory=list)
    seed_accuracy: float | None = None
    seed_errors: tuple[str, ...] = ()
    seed_note: str = ""


def is_pronoun(source: str) -> bool:
    """A Source such as "he", "they" or "his" that names nobody by itself."""
    words = source.lower().split()
    return not words or (len(words) <= 2 and words[-1].strip(".,'\u2019") in PRONOUN_SOURCES)


def titled_words(phrase: str) -> list[str]:
    """The phrase's core noun phrase, lower-cased, without articles or possessives."""
    text = TITLE_OF.sub("", phrase.strip(" \"'\u201c\u201d\u2018\u2019"))
    cut = CORE_END.search(text)
    text = text[: cut.start()] if cut else text
    words = []
    for raw in WORD.findall(text.lower()):
        word = raw.strip(".'\u2019-")
        for suffix in ("'s", "\u2019s"):
            word = word.removesuffix(suffix)
        if word and word not in ARTICLES:
            words.append(word)
    return words


def core_words(phrase: str) -> list[str]:
    """The phrase's core noun phrase, lower-cased, without articles, titles or possessives."""
    words = titled_words(phrase)
    plain = [word for word in words if word not in TITLE_WORDS]
    return plain or words


def same_speaker(predicted: str, gold: str) -> bool:
    """True when the head word of one phrase is among the core words of the other.

    A phrase that is a title alone ("the president", "The chairman") is matched with its
    titles kept on both sides, so that it names "President Barack Obama" as the article
    does, while "Sen. Marco Rubio" still matches "Rubio" by the name.
    """
    ours, theirs = core_words(predicted), core_words(gold)
    if not ours or not theirs:
        return False
    if ours[-1] in theirs or theirs[-1] in ours:
        return True
    ours_titled, theirs_titled = titled_words(predicted), titled_words(gold)
    title_only = ours == ours_titled and not set(ours) - TITLE_WORDS
    title_only_gold = theirs == theirs_titled and not set(theirs) - TITLE_WORDS
    return (title_only and ours[-1] in theirs_titled) or (
        title_only_gold and theirs[-1] in ours_titled
    )


def read_relations(ann_text: str) -> list[Relation]:
    """The attribution relations of a brat .ann file (those without Content are dropped)."""
    spans: dict[str, tuple[tuple[tuple[int, int], ...], str]] = {}
    events: list[dict[str, str]] = []
    for line in ann_text.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            _kind, _, offsets = parts[1].partition(" ")
            ranges = tuple(
                (int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";"))
            )
            spans[parts[0]] = (ranges, parts[2])
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split()))
    relations = []
    for event in events:
        content = spans.get(event.get("Content", ""))
        if content is None:
            continue
        source = spans.get(event.get("Source", ""))
        cue = spans.get(event.get("Cue", ""))
        relations.append(Relation(source[1] if source else None, cue[1] if cue else "", content[0]))
    return relations


def place_sentences(raw: str, passages: Iterable[Passage]) -> tuple[list[Placed], int]:
    """Find each stored sentence in the raw text, in order, ignoring differences of spacing."""
    starts, squeezed = [], []
    previous_space = False
    for offset, char in enumerate(raw):
        space = char.isspace()
        if space and previous_space:
            continue
        squeezed.append(" " if space else char)
        starts.append(offset)
        previous_space = space
    flat = "".join(squeezed)
    placed, missing, cursor = [], 0, 0
    for passage in passages:
        needle = SPACES.sub(" ", passage.text.strip())
        found = flat.find(needle, cursor)
        if found < 0 or not needle:
            missing += 1
            continue
        end = found + len(needle)
        placed.append(Placed(passage, starts[found], starts[end - 1] + 1))
        cursor = end
    return placed, missing


def _overlaps(placed: Placed, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(placed.start < end and start < placed.end for start, end in spans)


def _failure(placed: Placed, source: str) -> str | None:
    credit = placed.passage.attribution
    if credit.speaker is None:
        return "outlet fallback" if credit.source == "outlet" else "no speaker"
    return None if same_speaker(credit.speaker, source) else "wrong speaker"


def cue_label(cue: str) -> str:
    """The cue as reported in the by-cue table: lower case, spaces squeezed."""
    return " ".join(cue.lower().split()) or "(none)"


def score_article(
    report: AttributionReport, raw: str, relations: list[Relation], passages: tuple[Passage, ...]
) -> None:
    """Add one article's relations and sentences to the report."""
    headline_end = raw.find("\n") if "\n" in raw else len(raw)
    placed, missing = place_sentences(raw, passages)
    report.articles += 1
    report.sentences += len(passages)
    report.unplaced_sentences += missing
    judged = [r for r in relations if r.judged]
    for relation in judged:
        report.relations += 1
        covered = [p for p in placed if _overlaps(p, relation.content)]
        if not covered or all(end <= headline_end for _, end in relation.content):
            report.unplaced_relations += 1
            continue
        assert relation.source is not None
        kinds = [_failure(p, relation.source) for p in covered]
        failure = next((kind for kind in kinds if kind), None)
        ok = failure is None
        report.all_recall.add(ok)
        report.by_cue.setdefault(cue_label(relation.cue), Tally()).add(ok)
        if relation.speech:
            report.speech_recall.add(ok)
        if failure:
            report.failures[failure] += 1
            if relation.speech:
                report.speech_failures[failure] += 1
            wrong = covered[kinds.index(failure)]
            report.examples.append(
                {
                    "kind": failure,
                    "cue": relation.cue,
                    "gold": relation.source,
                    "got": wrong.passage.attribution.speaker or "",
                    "sentence": wrong.passage.text,
                }
            )
    for sentence in placed:
        speaker = sentence.passage.attribution.speaker
        if speaker is None:
            continue
        sources = [r.source for r in judged if _overlaps(sentence, r.content) and r.source]
        if sources:
            report.precision.add(any(same_speaker(speaker, s) for s in sources))
        elif not any(_overlaps(sentence, r.content) for r in relations):
            report.named_outside += 1


def article_pairs(folder: Path) -> Iterator[tuple[Path, Path]]:
    """(txt, ann) pairs of a PolNeAR-style folder, sorted by name."""
    for txt in sorted(folder.glob("*.txt")):
        ann = txt.with_suffix(".ann")
        if ann.exists():
            yield txt, ann


def evaluate_attribution(
    folder: Path, settings: Settings | None = None, seed: Path | None = None
) -> AttributionReport:
    """Score every article of a PolNeAR folder, then the seed article's gold attributions."""
    if not folder.is_dir():
        raise BotError(f"not a folder: {folder}")
    report = AttributionReport(dataset=str(folder))
    for txt, ann in article_pairs(folder):
        try:
            article = read_file(txt)
        except IngestError:
            report.articles += 1
            continue
        raw = txt.read_text(encoding="utf-8")
        relations = read_relations(ann.read_text(encoding="utf-8"))
        score_article(report, raw, relations, build_passages(article))
    if not report.articles:
        raise BotError(f"no .txt/.ann pairs in {folder}")
    _score_seed(report, settings or Settings(_env_file=None), seed)
    return report


def _score_seed(report: AttributionReport, settings: Settings, seed: Path | None) -> None:
    """The seed gold file's accuracy, as `eval seed` measures it; a note when it is absent."""
    try:
        path = seed or default_article(settings)
        article = read_file(path)
    except BotError as exc:
        report.seed_note = str(exc)
        return
    gold = _load(GOLD_FILE)
    with tempfile.TemporaryDirectory(prefix="attribution-eval-") as scratch:
        library = Library.open(
            settings.model_copy(
                update={"corpus_dir": Path(scratch) / "corpus", "data_dir": Path(scratch) / "var"}
            )
        )
        stored = library.add(article)
        report.seed_accuracy, report.seed_errors = attribution_accuracy(library, stored, gold)
    report.seed_note = str(path)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval attribution` arguments: PATH, --split, --seed, --examples, --json."""
    parser.add_argument("path", type=Path, help="a PolNeAR folder of .txt/.ann pairs, or its root")
    parser.add_argument("--split", default=None, help="sub-folder of PATH to read (train, dev)")
    parser.add_argument(
        "--seed", type=Path, default=None, help="seed article (default: found in the corpus)"
    )
    parser.add_argument("--examples", type=int, default=0, help="print up to N failed relations")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_attribution)


def run_attribution(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the evaluation and print a table (or JSON); 1 when the folder cannot be read."""
    settings = settings or Settings(_env_file=None)
    folder = args.path / args.split if args.split else args.path
    return print_report(
        lambda: evaluate_attribution(folder, settings, args.seed),
        as_json=args.json,
        to_json=lambda report: report_to_json(report, args.examples),
        to_text=lambda report: format_report(report, args.examples),
    )


def report_to_json(report: AttributionReport, examples: int = 0) -> dict[str, object]:
    """The report as JSON-safe data, with shares beside the counts."""
    data = asdict(report)
    for name in ("speech_recall", "all_recall", "precision"):
        data[name]["share"] = round(getattr(report, name).share, 4)
    data["by_cue"] = {
        cue: {"right": t.right, "total": t.total, "share": round(t.share, 4)}
        for cue, t in sorted(report.by_cue.items(), key=lambda item: -item[1].total)
    }
    data["failures"] = dict(report.failures)
    data["speech_failures"] = dict(report.speech_failures)
    data["examples"] = report.examples[:examples]
    return data


def format_report(report: AttributionReport, examples: int = 0, cues: int = 25) -> str:
    """Summary figures, failures by kind, the most frequent cues, then the seed."""

    def line(name: str, tally: Tally) -> str:
        return f"{name:<34} {tally.share:6.1%}  ({tally.right} of {tally.total})"

    lines = [
        f"attribution: {report.articles} articles, {report.sentences} sentences "
        f"({report.unplaced_sentences} not found in the .txt), {report.relations} relations "
        f"with a named source ({report.unplaced_relations} unplaced)",
        line("speech-verb recall", report.speech_recall),
        line("all-relations recall", report.all_recall),
        line("precision where a speaker is named", report.precision),
        f"{'named outside any relation':<34} {report.named_outside}",
        "failures (all / speech-verb): "
        + ", ".join(
            f"{kind} {report.failures[kind]}/{report.speech_failures[kind]}"
            for kind in ("no speaker", "wrong speaker", "outlet fallback")
        ),
        f"{'cue':<24} {'recall':>7} {'right':>6} {'total':>6}",
    ]
    ranked = sorted(report.by_cue.items(), key=lambda item: (-item[1].total, item[0]))
    for cue, tally in ranked[:cues]:
        lines.append(f"{cue[:24]:<24} {tally.share:7.1%} {tally.right:6} {tally.total:6}")
    if report.seed_accuracy is None:
        lines.append(f"seed: not measured ({report.seed_note})")
    else:
        lines.append(f"seed attribution accuracy {report.seed_accuracy:.3f} ({report.seed_note})")
        lines += [f"seed: {error}" for error in report.seed_errors]
    for example in report.examples[:examples]:
        lines.append(
            f"[{example['kind']}] cue={example['cue']!r} gold={example['gold']!r} "
            f"got={example['got']!r}: {example['sentence'][:160]}"
        )
    return "\n".join(lines)
