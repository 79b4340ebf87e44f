"""Articles and time for feed tests: distinct quotable stories, a clock moved by hand."""

from __future__ import annotations

from tests.feeds.feed_server import FeedServer, article_page

PEOPLE = ("Ingrid Holm", "Tomas Rieger", "Amara Okafor", "Lena Varga", "Kenji Mori")
PLACES = ("Skerry Island", "the river valley", "Port Ellis", "the northern coast", "Oldmarket")


def story(number: int) -> tuple[str, list[str]]:
    """A distinct, quotable article: headline and three paragraphs."""
    person = PEOPLE[number % len(PEOPLE)]
    place = PLACES[number // len(PEOPLE) % len(PLACES)]
    title = f"Council approves plan number {number} for {place}"
    paragraphs = [
        f"The council of {place} approved plan number {number} on Tuesday after a long debate "
        f"about its cost of {1000 + number} thousand euros.",
        f'"We waited {number + 2} years for this decision," said {person}, who chairs the '
        "residents' association.",
        f"Work on stage {number} is due to begin in the spring, the council said in a statement.",
    ]
    return title, paragraphs


class Clock:
    """Time that tests move by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def publish(server: FeedServer, numbers: range | list[int], prefix: str = "/a") -> list[dict]:
    """Serve article pages for the given story numbers; their RSS items."""
    items = []
    for number in numbers:
        title, paragraphs = story(number)
        url = server.set(
            f"{prefix}/{number}.html", article_page(title, paragraphs), content_type="text/html"
        )
        items.append({"title": title, "link": url, "guid": url})
    return items
