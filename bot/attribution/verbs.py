"""The words of reporting: speech verbs, inverted verbs, auxiliaries and trailing participles."""

from __future__ import annotations

import re

# Verbs that introduce speech, in the forms news prose uses. Lower case only, so
# that "the United States" never reads as "... States".
CUES = (
    r"said|says|say|told|tells|tell|added|adds|noted|notes|stressed|stresses|"
    r"emphasi[sz]ed|emphasi[sz]es|warned|warns|claimed|claims|argued|argues|"
    r"explained|explains|wrote|writes|announced|announces|confirmed|confirms|"
    r"denied|denies|stated|insisted|insists|acknowledged|acknowledges|admitted|"
    r"admits|asserted|asserts|replied|asked|tweeted|reported|reports|predicted|"
    r"recalled|cautioned|conceded|contended|maintained"
)
# "said a European official": only these verbs are inverted in news prose.
INVERTED_CUES = r"said|says|added|adds|noted|wrote|writes|explained|warned|asked|replied|told"
# Words allowed between a subject and its verb: "have said", "has also warned".
AUX = r"has|have|had|also|long|repeatedly|previously|earlier|later|reportedly|recently|publicly|privately|often|once|already|again|then|further|separately|\u2019ve|'ve"  # noqa: E501
# A participle or clause hung off the attribution: "said X, emphasizing that ...".
TAIL = r"adding|noting|emphasi[sz]ing|stressing|warning|citing|saying|explaining|insisting|arguing|referring|speaking|who|whose|according|although|though|but|while|as|in|on|at|after|before|during"  # noqa: E501
# "added" is speech only before a reported clause: not "Gallinari added 25 points".
ADDED_SPEECH = re.compile(r"""\s*(?:that\b|[:,"'\u201c\u2018]|[.!?]?["'\u201d\u2019]*\s*$)""")
