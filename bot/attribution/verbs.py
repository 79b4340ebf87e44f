"""The words of reporting: speech verbs, inverted verbs, auxiliaries and trailing participles.

Verbs are lower case only, so that "the United States" never reads as "... States".
"""

from __future__ import annotations

import re


def _alternatives(spaced: str) -> str:
    """A regex alternation from space-separated forms, longest first so "says" beats "say"."""
    return "|".join(sorted(spaced.split(), key=len, reverse=True))


# Verbs (and phrasal verbs, with "_" for a space) that introduce speech or writing.
SPEECH_VERBS = _alternatives(
    "said says say told tells tell added adds noted notes stressed stresses emphasized "
    "emphasizes emphasised emphasises warned warns claimed claims argued argues explained "
    "explains wrote writes announced announces confirmed confirms denied denies stated "
    "insisted insists acknowledged acknowledges admitted admits asserted asserts replied "
    "replies asked asks tweeted tweets reported reports predicted predicts recalled recalls "
    "cautioned cautions conceded concedes contended contends maintained maintains assured "
    "assures declared declares promised promises vowed vows testified testifies suggested "
    "suggests responded responds repeated repeats remarked concluded concludes exclaimed "
    "complained complains boasted boasts joked jokes pledged pledges mused observed "
    "acknowledged countered agreed agrees disputed disputes objected urged urges "
    "demanded described describes accused accuses charged blasted slammed "
    "criticized criticised praised praises questioned reiterated reiterates "
    "estimated alleged alleges disclosed revealed projected "
    "pointed_out points_out went_on_to_say went_on_to_explain went_on_to_note went_on_to_add "
    "went_on_to_argue went_on_to_describe went_on_to_call went_on_to_tell went_on_to_claim "
    "made_clear called_for calls_for called_on calls "
    "is_telling was_telling are_telling were_telling is_saying was_saying are_saying "
    "were_saying "
    "calls_on called called_out calls_out argue insist acknowledge suggest claim warn explain "
    "admit contend maintain deny agree complain assert predict accuse insist recounted "
    "recounts quoted called_upon point_out concede write announce respond declare testify urge "
    # Base forms after a plural subject or an auxiliary ("Critics describe", "would recall");
    # not "note", "state", "report", "question", "praise", "demand" or "pledge", as often nouns
    # ("The plan won praise", "strong demand").
    "recall emphasize describe criticize"
).replace("_", r"\s+")
# "X continues to insist": the whole phrase is the cue, so the wording stays grammatical.
SPEECH_VERBS += (
    r"|continue[sd]?\s+to\s+(?:say|insist|argue|claim|maintain|deny|warn|urge|call\s+for|ask|"
    r"question|criticize|push\s+for|defend)"
)
# Verbs of belief, intention and stance ("X wants", "X believes", "X opposes"):
# attributions, not speech, read in the last pass with STANCE_VERBS below.
BELIEF_VERBS = _alternatives(
    "believes believe believed thinks think wants want wanted hopes hope hoped "
    "fears feared worries worried doubts doubted feels felt plans planned intends intended "
    "seeks sought refuses refused endorsed endorses supports opposes opposed proposed "
    "proposes defended defends backs backed cited cites expressed indicated supported "
    "fear blamed blames dismissed dismisses"
)
# Stance, knowledge and communication verbs ("X knows", "X pointed to", "X talked about"):
# tried only where no speech frame, quotation or carried speaker credits the sentence,
# so "When asked why Cruz decided ..., Tyler said" stays Tyler's. Not words that are as
# often nouns, participles or things' doings: "offers", "favor", "estimates", "named",
# "delivered", "voted for" ("Global trade offers ...", "a man named Ode"). Not a bare
# "expect": "Trump may expect Europe to pay" is the article's own narration.
STANCE_VERBS = (
    _alternatives(
        "see sees saw know knows knew expects expected decided decide decides rejected rejects "
        "thought consider considers considered feel worry worries doubts realized learned "
        "recognize recognizes identified lamented decried touted touts hailed welcomed "
        "speculated threatened threatens ordered released listed lists mentioned mentions "
        "discussed discusses published emailed posted issued encouraged reminded offered "
        "favors favored opposing backing blame oppose referenced invoked credited denounced "
        "condemned assailed knocked mocked thanked recommended requested challenged wondered "
        "voiced articulated reaffirmed vouched_for laid_out lashed_out_at pointed_to points_to "
        "point_to talked_about talks_about spoke_about refers_to referred_to made_it_clear "
        "made_no_secret_of is_convinced are_concerned are_wary_of remain_confident is_hoping "
        "is_planning is_seeking is_promising is_calling_for is_supporting declined_to_comment_on"
    ).replace("_", r"\s+")
    + f"|{BELIEF_VERBS}"
)
# Verbs whose subject is a document or a poll: "the survey found", "the report shows".
DOCUMENT_VERBS = _alternatives("found finds shows show showed shown indicates indicated")
# Held-back speech whose subject is still the sentence's source: "X declined to say whether",
# "X would not discuss the talks", "X made no mention of". Not a bare "declined to comment":
# that is no statement.
NEGATED_CUES = (
    r"(?:declined|declines|refused|refuses)\s+to\s+(?:say|name|discuss|specify|elaborate|"
    r"identify|confirm|disclose|detail|answer|predict|speculate|share)"
    r"|(?:would|could|did|will)\s+(?:not|n['\u2019]t)\s+(?:say|discuss|specify|elaborate|"
    r"confirm|disclose|detail|predict|speculate|share|comment\s+on)"
    r"|(?:wouldn|couldn|didn)['\u2019]t\s+(?:say|discuss|specify|elaborate|confirm|disclose|"
    r"detail|predict|speculate|share|comment\s+on)"
    r"|made\s+no\s+mention|(?:did\s+not|didn['\u2019]t|never)\s+mention(?:ed)?"
    # "X isn't saying whether", "X hasn't said much about": speech held back, X's all the same.
    r"|(?:is|are|was|were)(?:\s+not|n['\u2019]t)\s+saying"
    r"|(?:has|have|had)(?:\s+not|n['\u2019]t)\s+(?:yet\s+)?said"
    r"|(?:will\s+not|won['\u2019]t)\s+say"
)
CUES = f"{SPEECH_VERBS}|{NEGATED_CUES}"
# "said a European official": only these verbs are inverted in news prose. Not "told":
# in "..., told a voter" the noun after it is the listener.
INVERTED_CUES = _alternatives(
    "said says added adds noted notes wrote writes explained warned asked replied "
    "recalled declared responded continued concluded insisted argued countered suggested "
    "exclaimed observed tweeted quipped mused retorted reported"
)
# Words allowed between a subject and its verb: "have said", "has also warned".
AUX = _alternatives(
    "has have had also long repeatedly previously earlier later reportedly recently publicly "
    "privately often once already again then further separately still quickly flatly "
    "immediately initially last_week politely bluntly simply frequently explicitly since "
    "nevertheless now first openly angrily sharply both all however "
    "\u2019ve 've has_not have_not had_not never did would will could may might"
).replace("_", r"\s+")
# A participle or clause hung off the attribution: "said X, emphasizing that ...".
TAIL = _alternatives(
    "adding noting emphasizing emphasising stressing warning citing saying explaining "
    "insisting arguing referring speaking who whose according although though but while as "
    "in on at after before during when because and"
)
# A participle that reports what the sentence's subject said: "X left, saying that ...".
SPEAKING_PARTICIPLES = _alternatives(
    "saying telling adding noting arguing writing warning asking insisting explaining "
    "declaring vowing promising claiming calling urging accusing describing suggesting "
    "tweeting stressing"
)
# "added" is speech only before a reported clause: not "Gallinari added 25 points".
ADDED_SPEECH = re.compile(r"""\s*(?:that\b|[:,"'\u201c\u2018]|[.!?]?["'\u201d\u2019]*\s*$)""")

# One-word cues in the third person ("says", "wants"), for telling a clause from a noun
# phrase; not the -ed forms, which also shorten a relative clause ("a poll released Monday"),
# nor words as often plural nouns ("claims", "reports", "plans").
FINITE_CUE_WORDS = frozenset(
    word
    for word in f"{SPEECH_VERBS}|{STANCE_VERBS}".split("|")  # STANCE_VERBS holds the beliefs
    if word.isalpha() and word.endswith("s") and not word.endswith("ss")
) - frozenset(
    _alternatives(
        "calls claims reports notes plans hopes fears worries doubts backs lists touts promises "
        "vows pledges demands questions responds"
    ).split("|")
)
