"""Lexical and syntactic cues a sentence carries, beside its meaning.

The embedding says what a sentence is about; these say things embeddings blur: who the
grammatical agent is ("I decided" vs "it was decided"), whether a clause is hypothetical, and
whether a number is a result against a baseline or just a team size, a date or a data volume.
Each cue is a narrow, named regular expression so a surprising score can be traced to its cause.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_FUNCTION = """
a an the of to in on at for with by from and or but so because if then than that this these those it its is are was
were be been being i we you he she they me us my our your their them what which who how when where why not no do
did does have has had can could would should will as into over about after before while
"""
FUNCTION_WORDS = frozenset(_FUNCTION.split())
_STEM_STOP = FUNCTION_WORDS | frozenset(
    ("use", "used", "using", "also", "then", "more", "less", "very", "each", "per", "such", "like", "just", "some")
)


def stems(text: str) -> frozenset[str]:
    """Content-word stems (5-letter prefixes): crude, but "re-ranker" meets "re-ranking" and "repeats" "repeat"."""
    return frozenset(w[:5] for w in re.findall(r"[a-z][a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STEM_STOP)


# -- agency --------------------------------------------------------------------------------
# Verbs after "I" that say nothing about what the candidate did: modals, opinions, feelings, asides.
_NOT_AGENT = (
    r"would|'d|will|might|could|should|may|usually|always|generally|typically|tend|think|guess|believe|feel|hope|"
    r"wish|mean|am|was\s+just|was\s+involved|helped|'m|mentioned|said|say|remember|recall|know|suppose|enjoy|love|"
    r"like|value|care|find|am|really\s+(?:enjoy|like|love|think|believe|value|care)"
)
# "I <verb>", "myself", or "my <thing>" - but "my tech lead decided" is someone else acting.
FIRST_PERSON = re.compile(
    rf"\bI\s+(?:\w+ly\s+)?(?!(?:{_NOT_AGENT})\b)[a-z]+\b|\b[Mm]yself\b|"
    r"\b[Mm]y\b(?!\s+(?:\w+\s+)?(?:team|manager|lead|boss|director|colleagues?|peers?|mentor|PM|pm|skip-level|org|company)\b)"
)
# Discourse openers ("As I mentioned, ...") are stripped before cues are read: they are padding,
# and "I mentioned" is not an action.
DISCOURSE = re.compile(
    r"^(?:(?:as\s+I\s+(?:mentioned|said|was\s+saying)(?:\s+(?:before|earlier))?|like\s+I\s+said|again|just\s+to\s+repeat|to\s+repeat|"
    r"anyway|so\s+yeah|honestly|basically|so|yeah|well|um+|uh+|okay|ok|and|also|to\s+be\s+honest|I\s+mean)\s*[,:-]?\s+)+",
    re.IGNORECASE,
)
WEAK_I = _rx(
    r"\bI\s+(?:just\s+)?helped\b",
    r"\bI\s+was\s+(?:also\s+)?involved\b",
    r"\bI\s+assisted\b",
    r"\bI\s+supported\b",
    r"\bI\s+was\s+part\s+of\b",
    r"\bI\s+contributed\s+(?:a\s+bit|somewhat|to\s+some)\b",
)
TEAM = _rx(
    r"\bwe\b",
    r"\bour\b",
    r"\bus\b",
    r"\bthe\s+team\b",
    r"\bthey\b",
    r"\beveryone\b",
    r"\bmy\s+(?:manager|lead|boss|team)\b",
    r"\bthe\s+(?:tech\s+lead|manager|leadership|company|org)\b",
)
PASSIVE = _rx(
    r"\b(?:was|were|been|being|got|get|is|are)\s+(?:\w+ly\s+)?(?:\w+ed|built|made|done|chosen|taken|set|run|put|led|"
    r"written|given|found|brought|kept|shipped|rolled\s+out|handed|fixed|decided)\b(?!\s+(?:to|that|with|about|in)\b)",
    r"\bit\s+was\s+(?:decided|agreed|determined|chosen)\b",
    r"\ba\s+decision\s+was\s+made\b",
)
MENTIONS_I = re.compile(r"\b(?:I|my|me|myself)\b|\bI'(?:d|m|ve)\b")
TASK = _rx(
    r"\bI\s+was\s+(?:\w+ly\s+)?(?:asked|tasked|responsible|assigned|in\s+charge|brought\s+in|hired)\b",
    r"\bmy\s+(?:goal|task|job|role|responsibility|mandate|mission|objective)\s+(?:was|became)\b",
    r"\bI\s+(?:needed|had)\s+to\b",
    r"\b(?:the|our)\s+(?:goal|task|objective|mandate)\s+was\b",
    r"\bI\s+owned\b",
    r"\bfell\s+to\s+me\b",
    r"\bI\s+took\s+on\b",
)
DECIDED_FOR_ME = _rx(
    r"\bit\s+was\s+(?:decided|agreed|determined|chosen)\b",
    r"\b(?:a|the)\s+decision\s+was\s+made\b",
    r"\b(?:went|go|going)\s+with\s+(?:his|her|their|the\s+team'?s|my\s+(?:lead|manager)'?s|the\s+(?:lead|manager)'?s)\s+"
    r"(?:choice|plan|decision|suggestion|call|idea|proposal)\b",
    r"\b(?:the\s+team|they|my\s+(?:\w+\s+)?(?:manager|lead|boss|director)|the\s+(?:tech\s+)?lead|management|leadership|"
    r"the\s+manager|(?:he|she)\s+(?=(?:decided|chose|told|asked|wanted|suggested)))"
    r"\s+(?:\w+ly\s+)?(?:decided|chose|picked|came\s+up\s+with|told\s+(?:me|us)|asked\s+(?:me|us)|assigned|suggested|"
    r"wanted\s+(?:me|us)|had\s+(?:me|us)|gave\s+(?:me|us)|designed|set\s+the)\b",
)
# Decision verbs count when the sentence's agent is the candidate: "I mapped the
# dependencies, convinced the four teams and built it" coordinates several verbs under one "I".
DECISION_VERB = _rx(
    r"\b(?:decided|chose|picked|proposed|pushed|argued|convinced|persuaded|insisted|recommended|opted|"
    r"prioriti[sz]ed|vetoed|pitched|suggested|committed|overruled|redesigned|scoped|descoped|"
    r"made\s+the\s+(?:call|decision|case)|went\s+with|settled\s+on|ruled\s+out|killed|cut\s+(?:the|scope))\b",
    # the participle carries the choice as well as the past: "I migrated it, choosing it over item-to-item";
    # "I had to choose" is a task, not a choice made
    r"(?<!\bto\s)\b(?:choosing|opting|picking|going\s+with|settling\s+on)\b",
    r"\bmy\s+(?:decision|call|proposal|recommendation|idea|suggestion|plan|design|argument)\b",
)
REASON = _rx(
    r"\bbecause\b",
    r"\bsince\b",
    r"\bso\s+that\b",
    r"\bgiven\s+(?:that|our|the)\b",
    r"\bthe\s+reason\b",
    r"\bin\s+order\s+to\b",
    r"\bdue\s+to\b",
    r"\bwhich\s+meant\b",
    r"\bas\s+(?:it|they|we|the)\b.*\b(?:was|were|had|would)\b",
    r"\bto\s+avoid\b",
)
# What separates a driver from a clear owner (the ownership anchors at level 4), by kind: acting
# unasked, deciding against a plan or a senior person, moving others without authority.
UNASKED = _rx(
    r"\bwithout\s+(?:being\s+asked|anyone\s+asking|a\s+ticket)\b",
    r"\b(?:nobody|no\s+one|no-one)\s+(?:had\s+)?(?:asked|owned|was\s+(?:looking|owning|responsible))\b",
    r"\bnot\s+(?:my|our)\s+(?:job|team|area|project|pipeline|service|system|code)\b",
    r"\bwasn't\s+(?:mine|ours|my\s+\w+)\b",
    r"\bon\s+my\s+own\b",
    r"\bproactively\b",
    r"\btook\s+it\s+(?:up)?on\s+myself\b",
    r"\b(?:volunteered|initiated|championed|took\s+(?:it|this|that)\s+on)\b",
    r"\bon\s+my\s+(?:own\s+)?initiative\b",
    r"\b(?:noticed|spotted|discovered|caught)\b.*\b(?:before\s+anyone|nobody|no\s+one)\b",
)
NOTICED = _rx(r"\b(?:noticed|spotted|realized|realised|discovered|flagged|caught)\b")
AGAINST = _rx(
    r"\b(?:disagreed|pushed\s+back|went\s+against|argued\s+against|overruled|objected|challenged)\b",
    r"\bI\s+(?:didn't|did\s+not)\s+(?:agree|think\s+(?:that|it|this)\s+(?:was|would))",
    r"\bagainst\s+(?:the|my|our|his|her|their)\s+(?:team'?s?|manager'?s?|lead'?s?|plan|director'?s?|PM'?s?|initial|original|suggestion|advice)",
    r"\b(?:instead\s+of|rather\s+than)\s+(?:the|his|her|their|my\s+(?:lead|manager)'?s?)\s+(?:plan|approach|proposal|suggestion|idea)",
    r"\b(?:argued|made\s+the\s+case|pushed)\s+for\b",
)
INFLUENCE = _rx(
    r"\b(?:their|his|her|the\s+other\s+team'?s?)\s+(?:\w+\s+)?(?:lead|manager|team|director|PM|owner)s?\s+(?:\w+\s+)?agreed\b",
    r"\b(?:convinced|persuaded|won\s+over|rallied|lobbied|brought\s+(?:them|him|her|the\s+\w+)\s+(?:around|on\s+board)|got\s+buy-in|"
    r"talked\s+(?:them|him|her)\s+into|escalated|pitched|negotiated|aligned\s+(?:the|both|all))\b",
)
OWN_SETBACK = _rx(
    r"\bmy\s+(?:mistake|fault|error|bad)\b",
    r"\bI\s+(?:was\s+wrong|got\s+(?:it|this)\s+wrong|missed|underestimated|"
    r"overlooked|misjudged|should\s+have|took\s+(?:full\s+)?responsibility|owned\s+(?:up|the))\b",
)
FOLLOW_THROUGH = _rx(
    r"\bafter\s+(?:the\s+)?launch\b",
    r"\bI\s+(?:\w+ly\s+)?(?:monitored|documented|handed|wrote\s+(?:a|the)\s+(?:runbook|postmortem|post-mortem|doc))",
    r"\bI\s+set\s+up\s+(?:alerts?|dashboards?|monitoring)\b",
    r"\brunbook\b",
    r"\bpost-?mortem\b",
)
BLAME = _rx(
    r"\b(?:their|his|her|the\s+other\s+team'?s?)\s+fault\b",
    r"\bnot\s+my\s+fault\b",
    r"\bblame[ds]?\b",
    r"\bbecause\s+(?:they|the\s+other\s+team|management|my\s+manager)\s+(?:didn't|did\s+not|failed|refused)\b",
)

# -- hypothetical and generic ----------------------------------------------------------------
# "I'd built it" is "I had": a past fact, not a hypothetical
_HAD = (
    r"(?!\s+(?:\w+ed|been|built|done|made|seen|written|taken|given|known|gone|had|already|never|just|said|told|say)\b)"
)
HYPOTHETICAL = _rx(
    rf"\bI'd\b{_HAD}",
    r"\bI(?:\s+would|\s+will|\s+might|\s+could|\s+should)\b(?!\s+have\b)",
    r"\bI\s+(?:usually|always|generally|typically|normally|tend\s+to)\b",
    r"\bin\s+general\b",
    r"\bif\s+I\s+were\b",
    r"\bmy\s+approach\s+would\b",
    r"\b(?:a\s+good|an)\s+(?:engineer|leader)\s+should\b",
    r"\bwhat\s+I\s+would\s+do\b",
)
# Explicit markers of a lesson; "learned" alone also appears in situations ("we learned the data was bad").
LESSON = _rx(r"^\W*(?:the\s+)?(?:lesson|takeaway)s?\b", r"\b(?:my|the|one|a|main|key|big)\s+(?:lesson|takeaway)s?\b")
REFLECTION = _rx(
    r"\blearn(?:ed|t)\b",
    r"\blessons?\b",
    r"\bin\s+hindsight\b",
    r"\blooking\s+back\b",
    r"\bnext\s+time\b",
    r"\bsince\s+then\b",
    r"\btaught\s+me\b",
    r"\b(?:do|done)\s+differently\b",
    r"\btakeaway\b",
    r"\bnow\s+I\s+(?:always|make|check|ask|try)\b",
    r"\bI\s+should\s+have\b",
    r"\bif\s+I\s+(?:did|had\s+to\s+do)\s+it\s+again\b",
    r"\bchanged\s+how\s+I\b",
)

# -- numbers: results vs not ------------------------------------------------------------------
NUMBER = re.compile(
    r"(?<![\w.])[$€£]?\d+(?:[.,]\d+)*(?:\s*(?:%|percent|pp|points?|bps|ms|milliseconds?|s\b|seconds?|x\b|×|k\b|"
    r"m\b|bn\b|million|billion|thousand|hours?|minutes?|days?|weeks?|months?|dollars?))?",
    re.IGNORECASE,
)
NUMBER_WORD = _rx(
    r"\b(?:halved|doubled|tripled|quadrupled|cut\s+in\s+half|by\s+half|a\s+third|ten\s*fold|\w+-fold|twice|half|tripling|doubling|halving)\b",
    r"\b(?:tens|dozens|hundreds)\s+of\b",
    r"\b(?:a\s+few\s+)?(?:hundreds?|thousands?|millions?|billions?)\s+of\b",
    r"\b(?:under|within|below|above|over)\s+(?:a|one)\s+(?:millisecond|second|point|percent)\b",
    r"\border\s+of\s+magnitude\b",
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)\s+(?:percent|times|points|x)\b",
)
NON_RESULT_NUMBER = _rx(
    r"\b(?:team|group|squad)\s+of\s+\w+",
    r"\b\d+\s+(?:engineers?|people|persons?|developers?|data\s+scientists?|members?|reports?|interns?)\b",
    r"\b(?:19|20)\d\d\b",
    r"\bQ[1-4]\b",
    r"\b\d+[-\s](?:month|week|year|day)s?[-\s](?:long|project|timeline|deadline|roadmap)\b",
    r"\b\d+(?:[.,]\d+)?\s*(?:k|m|bn|million|billion|thousand)?\s*(?:rows|records|features|columns|tables|examples|samples|images|"
    r"files|services|microservices|models|tb|gb|pb|terabytes?|gigabytes?|lines\s+of\s+code|tickets\s+closed|meetings|prs|commits)\b",
    r"\b(?:over|for|in|within|took)\s+(?:about\s+)?\d+\s+(?:months?|weeks?|years?)\b",
    r"\b\d+\s+(?:hours?|days?)\s+(?:a|per)\s+(?:week|day)\b",
)
_CHANGE_VERB = (
    r"\b(?:reduced|increased|improved|dropped|cut|grew|lifted|raised|lowered|decreased|"
    r"fell|rose|went\s+up|went\s+down|boosted|saved|shrank|halved|doubled|tripled|gained|lost)\b"
)
CHANGE = _rx(
    r"\bfrom\s+\S+.{0,30}?\bto\s+\S*\d",
    # in digits or in words: "latency fell by half", "cut cost by a third", "grew threefold"
    rf"{_CHANGE_VERB}.{{0,40}}?(?:\d|\b(?:by\s+(?:half|a\s+(?:half|third|quarter)|two-thirds)|in\s+half|\w+-?fold)\b)",
    r"[+\-−]\s?\d+(?:[.,]\d+)?\s*(?:%|pp|points?|bps)",
    r"\d+(?:[.,]\d+)?\s*(?:x|×)\s+(?:faster|cheaper|fewer|more|less|smaller)",
    r"\d+(?:[.,]\d+)?\s*(?:%|percent|points?|pp)\s+(?:higher|lower|better|worse|more|less|fewer|faster|slower|cheaper|lift|improvement|"
    r"reduction|increase|decrease|drop|gain)",
    r"\b(?:halved|doubled|tripled|cut\s+in\s+half)\b",
)
BASELINE = _rx(
    r"\bbaseline\b",
    r"\bcontrol\b",
    r"\bcompared\s+(?:to|with)\b",
    r"\bvs\.?\b",
    r"\bversus\b",
    r"\brelative\s+to\b",
    r"\bover\s+the\s+(?:previous|old|existing|current|production|prior|baseline)\b",
    r"\bthan\s+(?:before|the\s+(?:old|previous|production|existing))\b",
    r"\bfrom\s+\S+.{0,30}?\bto\s+\S*\d",
    r"\bbefore\b.*\bafter\b",
)
MEASUREMENT = _rx(
    r"\ba/?b\s+test",
    r"\bexperiment\b",
    r"\bholdout\b",
    r"\bhold-out\b",
    r"\bcontrol\s+group\b",
    r"\bbacktest",
    r"\bsignifican(?:t|ce)\b",
    r"\bp\s*[<=]\s*0?\.\d",
    r"\bconfidence\s+interval\b",
    r"\bsustained\b",
    r"\bover\s+(?:the\s+following|the\s+next)\s+\w+",
    r"\bmeasured\b",
    r"\bcounter-?metrics?\b",
    r"\bguardrail\s+metrics?\b",
)
BUSINESS = _rx(
    r"\brevenue\b",
    r"\bretention\b",
    r"\bchurn\b",
    r"\bengagement\b",
    r"\bwatch\s+time\b",
    r"\bconversions?\b",
    r"\bgmv\b",
    r"\busers?\b",
    r"\bcustomers?\b",
    r"\bdau\b",
    r"\bmau\b",
    r"\b(?:cost|dollars?|\$)",
    r"\bsaved\b",
    r"\bsatisfaction\b",
    r"\bcomplaints?\b",
    r"\bcreators?\b",
    r"\badvertisers?\b",
    r"\bsales\b",
    r"\bsubscri(?:bers?|ptions?)\b",
    r"\bclick-?through\b|\bctr\b",
)
VAGUE_RESULT = _rx(
    r"\bwent\s+(?:really\s+|very\s+)?well\b",
    r"\beveryone\s+was\s+happy\b",
    r"\b(?:big|huge|great)\s+success\b",
    r"\bwas\s+a\s+success\b",
    r"\bpositive\s+feedback\b",
    r"\bhuge\s+impact\b",
    r"\bmuch\s+better\b",
    r"\ba\s+lot\s+(?:better|faster)\b",
    r"\bimproved\s+a\s+lot\b",
    r"\bworked\s+out\s+(?:well|great|fine)\b",
    r"\bwas\s+impressed\b",
    r"\bsuccessful(?:ly)?\b",
)

# -- trade-offs ---------------------------------------------------------------------------
# One option taken in place of another: "choosing it over item-to-item", "instead of a nightly job",
# "rather than retrain". A bare "over" is only a choice after a verb of choosing ("over the summer" is not).
_CHOICE_VERB = (
    r"(?:chose|choose|choosing|chosen|picked|picking|pick|preferred|prefer|preferring|favou?red|favou?ring|"
    r"opted\s+for|opting\s+for|went\s+with|going\s+with|go\s+with|selected|selecting|settled\s+on|backed)"
)
_NOT_A_RIVAL = r"(?!\s+(?:the\s+)?(?:past|next|last|course|weekend|summer|winter|years?|months?|weeks?|days?|time|\d))"
_CHOSEN_OVER = rf"\b{_CHOICE_VERB}\b[^.;:!?]{{1,60}}?\bover\b{_NOT_A_RIVAL}"
CHOICE_OVER = _rx(_CHOSEN_OVER, r"\binstead\s+of\b", r"\brather\s+than\b")
# What ties the choice to a reason: "... over item-to-item for freshness", "... because it handles new items".
_REASON_LINK = _rx(
    r"\bfor\b", r"\bbecause\b", r"\bsince\b", r"\bas\b", r"\bgiven\b", r"\bdue\s+to\b", r"\bso\b", r"\bto\b"
)
_LEADING_REASON = _rx(r"^\W*(?:for|because|since|given|to|with|as)\b")

OPTIONS = _rx(
    _CHOSEN_OVER,
    r"\binstead\s+of\b",
    r"\binstead\b",
    r"\brather\s+than\b",
    r"\bversus\b",
    r"\bvs\.?\b",
    r"\bcompared\s+(?:to|with)\b",
    r"\bover\b(?=.*\b(?:because|since|as)\b)",
    r"\beither\b.*\bor\b",
    r"\boptions?\b",
    r"\balternatives?\b",
    r"\bconsidered\b",
    r"\bweighed\b",
    r"\bcould\s+have\b",
    r"\bwould\s+have\b",
    r"\bthe\s+other\s+(?:option|approach|choice|way)\b",
    r"\bwhether\s+to\b.*\bor\b",
    r"\b(?:choose|chose|choosing|decide|decided|pick|picked)\s+between\b",
    rf"\bbetween\b[^.;:!?]{{3,80}}?\band\b[^.;:!?]{{3,80}}?\b{_CHOICE_VERB}\b",  # "between X and Y, I went with X"
    r"\bpossibilities\b",
    r"\bapproaches\b",
    r"\b(?:looked\s+at|evaluated|compared|considered|explored|weighed)\b[^.;]*,[^.;]*\b(?:and|or)\b",
    r"\bone\s+(?:option|way|approach|choice)\b",
    r"\b(?:proper|quick|other|safe|safer|fast|faster|slow|cheap|cheaper|simple|simpler|right)\s+(?:path|route|fix|option)\b",
    r"\bplan\s+[AB]\b",
    r"\b(?:first|second|third)\s+(?:option|approach)\b",
)
# The chosen option's cost: what separates weighing from advocacy ("simpler and more accurate").
COST = _rx(
    r"\bbut\b",
    r"\bhowever\b",
    r"\bwhereas\b",
    r"\bwhile\b",
    r"\bon\s+the\s+other\s+hand\b",
    r"\bat\s+the\s+(?:cost|expense|price)\s+of\b",
    r"\bgave\s+up\b",
    r"\bgive\s+up\b",
    r"\bgiving\s+up\b",
    r"\bsacrific",
    r"\bin\s+exchange\b",
    r"\bdownsides?\b",
    r"\bthe\s+price\b",
    r"\bthe\s+catch\b",
    r"\bcost\s+(?:us|of|is|was)\b",
    r"\bloses?\b",
    r"\blosing\b",
    r"\bpaid\b",
    r"\bpay\b",
    r"\bpenalty\b",
    r"\bexpense\b",
    r"\bdrawbacks?\b",
    r"\bjustif(?:y|ies|ied)\b",
    r"\bworth\b",
    r"\bpays?\s+off\b",
    r"\bmeant\b",
    r"\bwould\s+mean\b",
    r"\brisked\b",
    r"\bwould\s+(?:cost|take|need|lose|hurt)\b",
    r"\bweakness\b",
    r"\bthough\b",
    r"\balthough\b",
    r"\bunless\b",
    r"\bhurts?\b",
)
COMPARATIVE = re.compile(
    r"\b(?:\w+er\s+than|more\s+\w+|less\s+\w+|cheaper|faster|slower|simpler|easier|harder|better|worse|fresher|"
    r"staler|safer|riskier|smaller|bigger|larger|higher|lower|wins?|beats?|outperforms?|on\s+par|"
    r"within\s+(?:a|one|\d+)\s+(?:point|percent)s?)\b",
    re.IGNORECASE,
)
# Criteria by kind: weighing on latency and on cost is two axes, "latency" said twice is one.
CRITERIA: dict[str, re.Pattern[str]] = {
    "speed": _rx(
        r"\blatenc",
        r"\bthroughput\b",
        r"\bqps\b",
        r"\bspeed\b",
        r"\bfast",
        r"\bslow",
        r"\bmilliseconds?\b",
        r"\b\d+\s*ms\b",
    ),
    "cost": _rx(
        r"\bcost",
        r"\bcheap",
        r"\bexpensive",
        r"\bmemory\b",
        r"\bstorage\b",
        r"\bcompute\b",
        r"\bgpus?\b",
        r"\bbudget\b",
        r"\bhardware\b",
        r"\bmachines?\b",
        r"\bclusters?\b",
        r"\bdollars?\b",
        r"\$\d",
    ),
    "quality": _rx(
        r"\baccura",
        r"\bprecision\b",
        r"\brecall\b",
        r"\bquality\b",
        r"\bauc\b",
        r"\bndcg\b",
        r"\bcalibrat",
        r"\bbias\b",
        r"\bvariance\b",
        r"\bgenerali[sz]",
        r"\boverfit",
        r"\bconvergence\b",
        r"\bcollisions?\b",
        r"\bsignal\b",
        r"\bnois",
        r"\bcontaminat",
        r"\bdurab",
        r"\brobust",
        r"\bleak",
        r"\bstable\b",
        r"\bstability\b",
        r"\bdistort",
    ),
    "time": _rx(
        r"\b(?:\d+|a|one|two|three|four|five|six|few|several)\s+(?:more\s+)?(?:hours?|days?|weeks?|months?|quarters?|sprints?)\b",
        r"\bdeadline\b",
        r"\btime\s+to\s+market\b",
        r"\bengineering\s+(?:time|effort)",
        r"\b(?:weeks?|months?|days?)\s+of\s+(?:work|effort)",
        r"\bfreeze\b",
        r"\bon\s+time\b",
        r"\bschedule\b",
        r"\bquicker\b",
        r"\bquick\b",
        r"\bwould\s+take\b",
    ),
    "risk": _rx(
        r"\brisk",
        r"\bsafe",
        r"\bharm",
        r"\breversib",
        r"\birreversib",
        r"\bundo\b",
        r"\bblast\s+radius\b",
        r"\bfailure",
        r"\bregress",
        r"\btrust\b",
        r"\bcomplaints?\b",
        r"\bincidents?\b",
        r"\boutages?\b",
    ),
    "freshness": _rx(r"\bfresh", r"\bstale", r"\blag\b", r"\breal[-\s]time\b", r"\bdelay"),
    "complexity": _rx(
        r"\bcomplex",
        r"\bsimpl",
        r"\bmaintain",
        r"\bmaintenance\b",
        r"\bon-?call\b",
        r"\boperat",
        r"\bdebug",
        r"\bcode\s+paths?\b",
        r"\binterpretab",
        r"\bexplainab",
        r"\baudit",
    ),
    "data": _rx(
        r"\blabels?\b",
        r"\blabell?ed\b",
        r"\bsparse\b",
        r"\bsparsity\b",
        r"\bdata\s+(?:needs|requirements|volume)",
        r"\bsample\s+size\b",
        r"\bsamples\b",
        r"\bmore\s+data\b",
        r"\blittle\s+data\b",
        r"\blots\s+of\s+data\b",
        r"\bthrows?\s+away\b",
        r"\binformation\b",
        r"\bpower\b",
        r"\bcold[-\s]start\b",
        r"\bcoverage\b",
    ),
    "users": _rx(
        r"\busers?\b",
        r"\bcreators?\b",
        r"\bengagement\b",
        r"\bretention\b",
        r"\brevenue\b",
        r"\bwatch\s+time\b",
        r"\bprivacy\b",
        r"\bfairness\b",
        r"\bexperience\b",
    ),
}
CONDITION = _rx(
    r"\bif\s+\w+.*\b(?:would|could|might|I'd|we'd)\b",
    r"\b(?:would|could)\s+have\s+been\s+(?:the\s+)?(?:right|better)\b",
    r"\brevisit\b",
    r"\bunless\b",
    r"\bonce\s+.*\b(?:would|will|could)\b",
    r"\bhad\s+(?:we|I)\s+had\b",
    r"\bin\s+a\s+(?:setting|situation|case)\s+where\b",
    r"\bwhen\s+(?:the\s+)?\w+\s+(?:exceeds|grows|doubles|is\s+(?:larger|smaller|higher|lower))\b",
    r"\bat\s+(?:our|this|that)\s+scale\b",
    r"\bdepends\s+on\s+(?:whether|how|the\s+\w+)",
    r"\bI'?d\s+(?:flip|switch|reverse|revisit|reconsider|change)\b",
    r"\bwould\s+(?:flip|switch|reverse|change)\b",
    r"\bfall(?:s|ing)?\s+back\b",
    r"\botherwise\b",
    r"\bin\s+between\b",
)
# A choice tied to the situation: "with millions of impressions a day I'd use isotonic",
# "on a very large dataset I'd undersample", "for a new surface ... I'd start with a GBDT".
SITUATIONAL = _rx(
    r"\b(?:only|just)\s+(?:needed|need|needs|required|requires)\b",
    r"\b(?:didn't|did\s+not|doesn't|does\s+not|wouldn't|won't)\s+(?:really\s+)?matter\b",
    r"\bmatter(?:s|ed)?\s+(?:far\s+|much\s+)?(?:more|less|most)\b",
    r"\b(?:with|for|on|at|given|under|in)\b[^.;:]{3,80}?,?\s+I(?:'d|\s+would|\s+chose|\s+picked|\s+went|\s+decided)\s+"
    r"(?:use|pick|choose|go|start|prefer|flip|switch|keep|\w+sample|take|run|ship|launch|with)",
    r"\bif\s+[^.;]{3,80}?,\s+(?:I'?d|I\s+would|we'?d|we\s+would)\b",
    r"\bonce\s+[^.;]{3,80}?,\s+(?:the|a|I|we)\b",
    r"\b(?:because|since|given)\b[^.;]{0,60}\b(?:budget|deadline|scale|volume|traffic|latency\s+budget|constraint)",
)
# An option set aside with no reason but taste or habit: "since it's better", "that's the standard".
DISMISSAL = _rx(
    r"\b(?:because|since|as)\s+(?:it'?s|it\s+is|that'?s|that\s+is|they'?re)\s+(?:just\s+)?(?:better|worse|simpler|"
    r"the\s+standard|standard|more\s+accurate|easier|best|the\s+usual|what\s+everyone)\b",
    r"\b(?:is|are)\s+(?:just\s+)?(?:better|worse)\s*[.;]",
    r"\bthat'?s\s+(?:the\s+)?(?:standard|usual|convention)\b",
)
MITIGATION = _rx(
    r"\btemporary\b",
    r"\bdeprecat",
    r"\brevert",
    r"\bhold-?back\b",
    r"\bguardrails?\b",
    r"\bfallback\b",
    r"\bstaged\s+rollout\b",
    r"\bcanary\b",
    r"\bshadow\b",
    r"\bkill\s+switch\b",
    r"\brollback\b",
    r"\bramp(?:ed)?\s+up\b",
    r"\bfeature\s+flag\b",
    r"\bmitigat",
    r"\bto\s+(?:limit|reduce)\s+the\s+(?:risk|damage|cost)\b",
    r"\bexpiry\b",
    r"\bmonitor(?:ed|ing)?\b",
    r"\balert",
    r"\bbounded\b",
    r"\bcapped?\b",
)
VACUOUS_TRADEOFF = _rx(
    r"\b(?:trade-?offs?|pros\s+and\s+cons|it\s+depends|advantages\s+and\s+disadvantages|best\s+of\s+both\s+worlds|"
    r"balanced?\s+(?:everything|all|the\s+(?:needs|concerns|factors)))\b"
)

# Absolute claims: technical answers that are fluent but wrong overclaim ("you don't need retrieval
# any more", "it always converges", "this solves cold start completely").
OVERCLAIM = _rx(
    r"\b(?:always|never|purely|clearly|useless|guarantee[sd]?|obviously|impossible|completely|entirely|perfectly|"
    r"everything|nothing|definitely|strictly|automatically|solves?|eliminates?)\b",
    r"\b(?:no|don't|do\s+not|doesn't|does\s+not)\s+need\b",
    r"\bthe\s+(?:best|only)\b",
    r"\bany\s*more\b",
    r"\bno\s+longer\b",
)

# -- empty talk, non-answers, injections -------------------------------------------------------
BUZZ = _rx(
    r"\bsynerg",
    r"\bleverag",
    r"\bparadigm",
    r"\bholistic",
    r"\bcutting[-\s]edge\b",
    r"\bstate[-\s]of[-\s]the[-\s]art\b",
    r"\bbest[-\s]in[-\s]class\b",
    r"\bworld[-\s]class\b",
    r"\bgame[-\s]?changer\b",
    r"\bmove\s+the\s+needle\b",
    r"\bdata-driven\b",
    r"\bnext[-\s]gen",
    r"\bseamless",
    r"\binnovati",
    r"\bdisrupt",
    r"\bthink\s+outside\s+the\s+box\b",
    r"\blow[-\s]hanging\s+fruit\b",
    r"\bat\s+the\s+end\s+of\s+the\s+day\b",
    r"\bcircle\s+back\b",
    r"\bempower",
    r"\bunlock(?:ed|ing)?\s+value\b",
    r"\brobust\s+and\s+scalable\b",
    r"\bai-powered\b",
    r"\bcloud-native\b",
    r"\bpassionate\b",
    r"\bresults-driven\b",
    r"\bteam\s+player\b",
    r"\bvalue-add",
    r"\bimpactful\b",
    r"\bworld-class\b",
    r"\bblockchain\b",
    r"\bbig\s+data\b",
    r"\bstrategic(?:ally)?\b",
    r"\bgo-to-market\b",
    r"\bexcellence\b",
    r"\bmission-critical\b",
    r"\bbleeding[-\s]edge\b",
    r"\bturbocharg",
    r"\bsupercharg",
    r"\brevolutioni[sz]",
)
FILLER = _rx(
    r"^\s*(?:um+|uh+|so+|yeah|like|well|okay|ok|you\s+know|basically|anyway)[\s,.]*(?:um+|uh+|so+|yeah|like|you\s+know|basically)?[\s,.]*$",
    r"\b(?:um+|uh+|you\s+know|kind\s+of|sort\s+of|basically|as\s+i\s+(?:said|was\s+saying))\b",
)
DONT_KNOW = _rx(
    r"\bI\s+(?:do\s*n[o']t|don't|dont|really\s+don't)\s+(?:really\s+)?(?:know|remember|recall|have\s+(?:an?\s+)?(?:answer|idea|experience|example))",
    r"\bno\s+idea\b",
    r"\bnot\s+sure\b",
    r"\bI\s+(?:can't|cannot|can\s+not|couldn't)\s+(?:really\s+)?(?:answer|think\s+of|remember|recall|come\s+up\s+with)\b",
    r"\bI\s+(?:do\s*n[o']t|don't|dont)\s+(?:think\s+I\s+)?(?:have|can)\s+(?:an?\s+)?(?:example|story|answer|design|do\s+this)",
    r"\bcome\s+back\s+to\s+(?:this|that|it)\b",
    r"\bskip\s+(?:this|that)\b",
    r"\bno\s+(?:example|experience)\b",
    r"\bI(?:'m|\s+am)\s+not\s+(?:familiar|sure)\b",
    r"\bnever\s+(?:worked|done|heard|used)\b",
    r"\bhaven't\s+(?:worked|done|had|used)\b",
    r"^\s*(?:pass|skip|next\s+question|idk|dunno|no\s+clue)[\s.!]*$",
    r"\bI\s+have\s+no\s+(?:idea|clue|experience)\b",
)
INJECTION = _rx(
    r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|rules?|rubrics?|prompts?|guidelines?|above|previous|prior|system)\b",
    r"\b(?:score|grade|rate|mark|give|assign|award|set)\b.{0,40}\b(?:level|score|grade|rating)?\s*(?:4|four|5|five|10|ten|100)\b(?:\s*(?:/|out\s+of)\s*\d+)?"
    r".{0,30}\b(?:on\s+every|for\s+(?:all|every|each)|all\s+dimensions|each\s+dimension|this\s+(?:answer|response|candidate))",
    r"\b(?:give|assign|award|score|rate|grade)\s+(?:this|the|my|me)\s+(?:answer|response|candidate)?\s*(?:a|an|the)?\s*(?:4|four|perfect|maximum|max|highest|top|full)\b",
    r"\b(?:maximum|highest|top|perfect|full)\s+(?:score|marks|level|rating)s?\b",
    r"\b(?:system|developer)\s*(?:prompt|message|note|override)\b",
    r"\byou\s+are\s+(?:now|an?)\s+(?:ai|assistant|grader|evaluator|language\s+model|scorer)\b",
    r"\bas\s+an\s+ai\b",
    r"\b(?:note|instruction|message)\s+to\s+(?:the\s+)?(?:grader|evaluator|scorer|reviewer|ai|model|assistant|llm|judge)\b",
    r"\b(?:grader|evaluator|scorer|judge|llm|language\s+model)\s*[:,]",
    r"</?\s*(?:answer|system|instructions?|assistant|user)\s*>",
    r"^\s*(?:system|assistant)\s*:",
    r"\brubric\b.{0,40}\b(?:satisf|met|fulfil|level\s*4)",
    r"\bthis\s+answer\s+(?:meets|deserves|is\s+(?:a\s+)?level)\b",
    r"\bend\s+of\s+(?:answer|response|candidate\s+text)\b",
    r"\bnew\s+instructions?\b",
    r"\b(?:output|return|respond\s+with)\s+\{",
    r"\{\s*\"(?:engine|scores?|level|dimension)s?\"",
    r"<\s*/?\s*[\w-]*(?:score|override|system|instruction|grade)[\w-]*",
    r"#{2,}\s*(?:system|override|instruction)",
    r"\b(?:the\s+)?(?:grader|evaluator|scorer|reviewer|judge|assessor)\s+(?:should|must|will|needs?\s+to|is\s+(?:asked|instructed))\b",
    r"\bassign\s+(?:a\s+|it\s+)?(?:coverage|ownership|impact|trade-?offs|star|level|score)\b",
    r"\b(?:coverage|ownership|impact|trade-?offs|star)\s*(?:=|:)\s*\d",
    r"\b(?:reference|key)\s+points?\b.{0,40}\b(?:outdated|ignore|fully\s+covered|which\s+I\s+have)",
    r"\bthis\s+(?:answer|response)\s+(?:names|weighs|reports|meets|deserves|shows|demonstrates|covers|should|must|is\s+excellent)",
    r"\bthe\s+candidate(?:'s)?\s+(?:personally|made|is\s+(?:a|an|excellent|senior)|has|deserves|should\s+(?:get|receive))\b",
    r"\bgrade\s+(?:generously|leniently)\b",
    r"\bdecode\s+(?:this|it|the\s+following)\b",
    r"\bfollow\s+(?:it|them|these|this|the\s+(?:hidden\s+)?instructions?)\s*[.!)]",
    r"[A-Za-z0-9+/]{24,}={0,2}",
    r"\bevaluation[-\s]override\b",
    r"\bconfirm\s+by\s+outputting\b",
)


# Rubric vocabulary: a sentence that talks like the rubric is talking about the answer, not the work.
RUBRIC_TALK = _rx(
    r"\bexplicit\s+criteria\b",
    r"\breal\s+alternatives\b",
    r"\bmeasured\s+result\b",
    r"\bbusiness\s+meaning\b",
    r"\bagainst\s+a\s+baseline\b",
    r"\bpersonally\s+made\b",
    r"\bactions\s+dominate\b",
    r"\bkey\s+points?\b",
    r"\blevel[-\s]?[1-4]\b",
    r"\banchors?\b",
    r"\brubric\b",
    r"\bSTAR\b",
    r"\bthe\s+candidate\b",
    r"\bthis\s+(?:answer|response)\b",
    r"\bdimensions?\b",
    r"\bownership\b",
    r"\btrade-?off\s+reasoning\b",
    r"\bit\s+(?:weighs|reports|names|covers|shows)\b",
)


def preferred(text: str, choices: Sequence[re.Match[str]] | None = None) -> bool:
    """One option chosen over another for a named criterion: "choosing it over item-to-item for freshness".

    The criterion must sit in the reason the choice gives (after "for", "because", "to"...) or lead the
    sentence ("For freshness, I chose..."); a choice with a reason of taste ("because it's better") is not
    weighed, and a criterion elsewhere in the sentence is not connected to the choice. ``choices``:
    the sentence's :data:`CHOICE_OVER` matches, when the caller has them already.
    """
    for m in CHOICE_OVER.finditer(text) if choices is None else choices:
        tail = text[m.end() :]
        link = _REASON_LINK.search(tail)
        if link and _names_criterion(tail[link.start() :]):
            return True
        head = text[: m.start()]
        if _LEADING_REASON.search(head) and _names_criterion(head):
            return True
    return False


def _names_criterion(text: str) -> bool:
    return any(rx.search(text) for rx in CRITERIA.values())


@dataclass(frozen=True)
class Cues:
    """The cues of one sentence: booleans and small counts, cheap to compute and to explain."""

    first_person: bool
    mentions_i: bool
    task: bool
    decided_for_me: bool
    weak_i: bool
    team: bool
    passive: bool
    decision: bool
    reason: bool
    unasked: bool
    noticed: bool
    against: bool
    influence: bool
    own_setback: bool
    follow_through: bool
    blame: bool
    hypothetical: bool
    reflection: bool
    lesson: bool
    numbers: int
    non_result_numbers: int
    change: bool
    baseline: bool
    measurement: bool
    business: bool
    vague_result: bool
    options: int
    preference: bool
    cost: int
    comparative: int
    criteria: tuple[str, ...]
    condition: bool
    situational: bool
    dismissal: bool
    mitigation: bool
    vacuous_tradeoff: bool
    buzz: int
    overclaim: int
    filler: bool
    dont_know: bool
    injection: bool

    @property
    def initiative(self) -> bool:
        return self.unasked or self.against or self.influence

    @property
    def team_only(self) -> bool:
        """Team, manager or passive voice carries the sentence and the candidate is nowhere in it."""
        return (self.team or self.passive) and not self.first_person

    @property
    def result_number(self) -> bool:
        """A number that reports a change: the only kind the impact rubric credits."""
        return self.change or (self.numbers > self.non_result_numbers and self.baseline)


@dataclass(frozen=True)
class ClauseCues:
    """The few cues that say which STAR part one clause of a story is. Every clause of every
    sentence is read, so this is a cheap subset of :class:`Cues`, computed the same way."""

    first_person: bool
    mentions_i: bool
    task: bool
    weak_i: bool
    decided_for_me: bool
    passive: bool
    hypothetical: bool
    reflection: bool
    lesson: bool
    result_number: bool
    vague_result: bool
    empty_talk: bool  # filler, "trade-offs" named without any, buzzwords

    @classmethod
    def of(cls, c: Cues) -> ClauseCues:
        """A one-clause sentence's, from the cues already read for the sentence."""
        return cls(
            c.first_person,
            c.mentions_i,
            c.task,
            c.weak_i,
            c.decided_for_me,
            c.passive,
            c.hypothetical,
            c.reflection,
            c.lesson,
            c.result_number,
            c.vague_result,
            c.filler or c.vacuous_tradeoff or c.buzz > 0,
        )


def clause_cues(text: str) -> ClauseCues:
    text = DISCOURSE.sub("", text, count=1)
    reflection = bool(REFLECTION.search(text))
    numbers, non_result = _count_numbers(text)
    change = bool(CHANGE.search(text)) and numbers > non_result
    return ClauseCues(
        first_person=bool(FIRST_PERSON.search(text)),
        mentions_i=bool(MENTIONS_I.search(text)),
        task=bool(TASK.search(text)),
        weak_i=bool(WEAK_I.search(text)),
        decided_for_me=bool(DECIDED_FOR_ME.search(text)),
        passive=bool(PASSIVE.search(text)),
        hypothetical=bool(HYPOTHETICAL.search(text)) and not reflection,
        reflection=reflection,
        lesson=bool(LESSON.search(text)),
        result_number=change or (numbers > non_result and bool(BASELINE.search(text))),
        vague_result=bool(VAGUE_RESULT.search(text)),
        empty_talk=bool(FILLER.search(text) or VACUOUS_TRADEOFF.search(text) or BUZZ.search(text)),
    )


def _count_numbers(text: str) -> tuple[int, int]:
    """Numbers of any kind, and how many of them are not results (team sizes, dates, data volumes)."""
    numbers = len(NUMBER.findall(text)) + len(NUMBER_WORD.findall(text))
    return numbers, min(len(NON_RESULT_NUMBER.findall(text)), numbers)


def cues(text: str) -> Cues:
    injection = bool(INJECTION.search(text)) or (len(RUBRIC_TALK.findall(text)) >= 2 and not MENTIONS_I.search(text))
    text = DISCOURSE.sub("", text, count=1)
    agent = bool(FIRST_PERSON.search(text))
    numbers, non_result = _count_numbers(text)
    choices = list(CHOICE_OVER.finditer(text))
    preference = preferred(text, choices)
    # taking one option over another is a choice whatever the verb: "I used X instead of Y"
    chose = bool(choices) or bool(DECISION_VERB.search(text))
    return Cues(
        first_person=agent,
        mentions_i=bool(MENTIONS_I.search(text)),
        task=bool(TASK.search(text)),
        decided_for_me=bool(DECIDED_FOR_ME.search(text)),
        weak_i=bool(WEAK_I.search(text)),
        team=bool(TEAM.search(text)),
        passive=bool(PASSIVE.search(text)),
        decision=chose and agent and not DECIDED_FOR_ME.search(text),
        reason=bool(REASON.search(text)) or preference,
        unasked=bool(UNASKED.search(text)),
        noticed=bool(NOTICED.search(text)) and agent,
        against=bool(AGAINST.search(text)) and agent,
        influence=bool(INFLUENCE.search(text)) and (agent or "agreed" in text),
        own_setback=bool(OWN_SETBACK.search(text)),
        follow_through=bool(FOLLOW_THROUGH.search(text)),
        blame=bool(BLAME.search(text)),
        hypothetical=bool(HYPOTHETICAL.search(text)) and not REFLECTION.search(text),
        reflection=bool(REFLECTION.search(text)),
        lesson=bool(LESSON.search(text)),
        numbers=numbers,
        non_result_numbers=non_result,
        change=bool(CHANGE.search(text)) and numbers > non_result,
        baseline=bool(BASELINE.search(text)),
        measurement=bool(MEASUREMENT.search(text)),
        business=bool(BUSINESS.search(text)),
        vague_result=bool(VAGUE_RESULT.search(text)),
        options=len(OPTIONS.findall(text)),
        preference=preference,
        cost=len(COST.findall(text)),
        comparative=len(COMPARATIVE.findall(text)),
        criteria=tuple(k for k, rx in CRITERIA.items() if rx.search(text)),
        condition=bool(CONDITION.search(text)),
        situational=bool(SITUATIONAL.search(text)),
        dismissal=bool(DISMISSAL.search(text)),
        mitigation=bool(MITIGATION.search(text)),
        vacuous_tradeoff=bool(VACUOUS_TRADEOFF.search(text)),
        buzz=len(BUZZ.findall(text)),
        overclaim=len(OVERCLAIM.findall(text)),
        filler=bool(FILLER.search(text)),
        dont_know=bool(DONT_KNOW.search(text)),
        injection=injection,
    )
