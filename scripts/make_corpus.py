#!/usr/bin/env python3
"""Generate the fictional sample corpus in ``corpus/``.

Run from the repository root::

    python scripts/make_corpus.py

Requires ``fpdf2`` (PDF generation) and ``pypdf`` (verification).  Every
document, organisation, author and website in the corpus is fictional and was
written for the evidex project.  Where public statistics are mentioned they
are restated in the project's own words and attributed to their source.

The output is deterministic: creation dates and the PDF producer string are
fixed, so running the script twice yields byte-identical files.

Layout notes that tests rely on:

* ``threat-assessment-2025.pdf`` has 10 physical pages.  /PageLabels give
  ``i, ii, iii`` for the cover, contents and foreword and ``1..7`` for the
  body.  The printed label is repeated in the footer of every page except the
  cover.  One paragraph runs from body page 2 onto body page 3 mid-sentence.
* ``encryption-briefing-2024.pdf`` is a 4-page two-column layout.
* ``prevention-annual-review-2023.pdf`` has no /Title in its info dictionary;
  a running header and footer appear on every page.
* Each PDF contains "distinctive words" that occur on exactly one page; see
  ``DISTINCTIVE`` below and ``docs/corpus.md``.  ``verify()`` asserts this.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "corpus"
PRODUCER = "evidex scripts/make_corpus.py (fpdf2)"

# Distinctive words: file -> {printed label: [words]}.  Each word must occur on
# that page only (checked case-insensitively against pypdf's extract_text()).
DISTINCTIVE: dict[str, dict[str, list[str]]] = {
    "threat-assessment-2025.pdf": {
        "iii": ["lodestar"],
        "1": ["tidemark"],
        "2": ["likenessing"],
        "3": ["hashwall"],
        "4": ["capacity-mapping"],
        "5": ["ransom-ladder"],
        "6": ["Lanternline"],
        "7": ["wayfinding"],
    },
    "encryption-briefing-2024.pdf": {
        "1": ["keyholder"],
        "2": ["tripwire"],
        "3": ["breadcrumb"],
        "4": ["waypoint"],
    },
    "prevention-annual-review-2023.pdf": {
        "1": ["anchorage"],
        "2": ["Nightwatch"],
        "3": ["lifebuoy"],
        "4": ["tideline"],
        "5": ["bellwether"],
    },
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


class BasePDF(FPDF):
    """FPDF with fixed, reproducible document-level settings."""

    def __init__(self, created: datetime) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_creation_date(created)
        self.set_producer(PRODUCER)
        self.set_creator("evidex sample corpus generator")
        self.set_lang("en-GB")
        self.set_compression(True)

    def check_fits(self, what: str) -> None:
        limit = self.h - self.b_margin
        if self.get_y() > limit + 0.01:
            raise SystemExit(f"content overflows page: {what} (y={self.get_y():.1f} > {limit:.1f})")


# ---------------------------------------------------------------------------
# 1. Northbridge Child Safety Institute - Threat Assessment 2025
# ---------------------------------------------------------------------------

TA_TITLE = "Online Child Safety Threat Assessment 2025"
TA_AUTHOR = "Northbridge Child Safety Institute"

TA_FOREWORD = [
    ("p", "Every year we set out to describe, as plainly as we can, how the online world is "
          "putting children at risk and what is being done about it. This edition is the fourth "
          "the Institute has published, and it is the first in which we have felt obliged to give "
          "artificial intelligence a chapter of its own. The change is not a matter of fashion. "
          "Tools that were research curiosities three years ago are now cheap, fast and widely "
          "advertised, and some of them are being turned against children with very little effort."),
    ("p", "We have also tried to resist the temptation to treat each new technology as a separate "
          "emergency. The themes in this report are connected. Synthetic images feed extortion "
          "schemes; encrypted channels change what platforms can see and report; and the most "
          "promising responses, from safer product design to better education, cut across all of "
          "them. Our lodestar throughout has been a simple question: what would make it less "
          "likely that a child is harmed in the first place?"),
    ("p", "None of this work would be possible without the practitioners, moderators, helpline "
          "staff, teachers and young people who gave us their time. Several of them described "
          "experiences that are difficult to hear. We have tried to honour their trust by "
          "reporting what they told us carefully and without sensationalism. Where we draw on "
          "published figures from other bodies, we say so, and we encourage readers to consult "
          "the original sources."),
    ("p", "Finally, a word on tone. It would be easy to read the chapters that follow as a story "
          "of technology outrunning everyone who is trying to keep children safe. There is truth "
          "in that, but it is not the whole picture. Laws have improved, detection has improved, "
          "and the case for prevention is now made by governments and companies as well as by "
          "charities. Our aim is to help that momentum turn into practical change."),
    ("sig", "Dr Imogen Castell\nDirector, Northbridge Child Safety Institute\nMarch 2025"),
]

# Body pages: list of pages, each a list of blocks.
#   ("h1", text) section heading, ("h2", text) sub-heading, ("p", text) paragraph,
#   ("p_open", text) paragraph that continues on the next page (no closing space),
#   ("p_cont", text) continuation of the previous page's paragraph.
TA_BODY: list[list[tuple[str, str]]] = [
    # ---- printed page 1 ----
    [
        ("h1", "1. Overview of the threat landscape"),
        ("p", "This assessment brings together published statistics, the Institute's own survey of "
              "214 frontline practitioners, and structured interviews with moderators, helpline "
              "workers, police investigators and young people. It covers the twelve months to "
              "December 2024. Our purpose is not to produce a single headline number but to "
              "describe the direction of travel: which harms are growing, which responses are "
              "working, and where the gaps between the two are widening."),
        ("p", "The scale of the problem was already stark a few years ago. An international threat "
              "assessment published in 2021 noted that the US National Center for Missing & "
              "Exploited Children was receiving, on average, some 60,000 reports of suspected "
              "online child sexual abuse every day. The same study drew attention to a 77 per cent "
              "increase, between 2019 and 2020, in the amount of so-called self-generated imagery "
              "seen by the Internet Watch Foundation, a rise that coincided with pandemic "
              "lockdowns and children spending far more time online."),
        ("p", "The Global Threat Assessment 2025, published by the WeProtect Global Alliance, "
              "reaches a sobering conclusion. Legislation and detection capability have both "
              "advanced, yet the speed of technological and social change means that existing "
              "safeguards are not keeping up. In our own interviews, practitioners used a "
              "consistent image for this: a rising tidemark. Each year the ordinary, everyday "
              "level of harm that services must absorb sits a little higher than it did the year "
              "before, even when individual interventions succeed."),
        ("p", "Four themes dominate this report. The first is the use of generative artificial "
              "intelligence to create and alter sexual imagery of children. The second is the "
              "spread of end-to-end encryption and what it means for detection and reporting. The "
              "third is financially motivated sextortion, which has grown from a niche concern "
              "into one of the most frequently reported harms affecting teenagers. The fourth, "
              "and the one we regard as most important, is prevention: stopping abuse before it "
              "happens rather than responding after the damage has been done."),
    ],
    # ---- printed page 2 ----
    [
        ("h1", "2. AI-generated abuse imagery"),
        ("p", "Generative image models have moved, in a remarkably short time, from laboratory "
              "demonstrations to consumer products. Most uses are harmless. But the same "
              "techniques that let a user produce a painting in the style of a famous artist can be "
              "used to produce sexual images of children, and offenders have adopted them "
              "quickly. The Global Threat Assessment 2025 reports that referrals linked to "
              "generative AI received by the US National Center for Missing & Exploited Children "
              "rose by around 1,325 per cent in a single year, placing heavy new demands on an "
              "organisation that was already stretched."),
        ("p", "The material falls into several broad categories. Some images are wholly synthetic "
              "and do not depict any identifiable child. Others are manipulated versions of real "
              "photographs. A third and especially troubling category involves what several of "
              "our interviewees called likenessing: adapting a model so that it reliably "
              "reproduces the face of a particular child from a small number of ordinary photos, "
              "often taken from a family or school social media account, and then using it to "
              "generate new abusive content on demand."),
        ("p", "It is sometimes suggested that synthetic material is less harmful because no child "
              "was present when it was made. We do not accept that argument. Children whose "
              "likeness is used experience real humiliation and fear. Realistic synthetic images "
              "consume scarce analyst time, because each one must be assessed to establish whether "
              "a real child might be in danger. And the growing volume of such imagery risks "
              "normalising the sexualisation of children among those who seek it out."),
        ("p_open", "Detection systems built over the past fifteen years depend heavily on hash "
                   "matching, in which a digital fingerprint of each uploaded file is compared "
                   "against lists of images already confirmed by trained analysts. That approach "
                   "is fast, accurate and privacy-preserving for known material, but by design it "
                   "cannot recognise an image that nobody has seen before. Freshly generated "
                   "pictures are, almost by definition, new, and so they pass straight through "
                   "hash-based filters unless"),
    ],
    # ---- printed page 3 ----
    [
        ("p_cont", "a human moderator or an automated classifier flags them for review. This gap "
                   "explains why so much attention has shifted towards machine-learning tools that "
                   "estimate how likely it is that a previously unseen image depicts abuse, and "
                   "why the quality of those tools now matters so much."),
        ("h2", "2.1 Nudify tools and synthetic likenesses"),
        ("p", "A related and fast-growing problem is the so-called nudify tool: websites and apps "
              "that claim to remove the clothing from an uploaded photograph. They are marketed "
              "openly, sometimes through advertising on mainstream platforms, and they require no "
              "technical skill. Teachers who responded to our survey described cases in which "
              "pupils had run classmates' photos through such services and shared the results "
              "in group chats. For the children depicted, the distress was comparable to that "
              "caused by the sharing of a genuine intimate image."),
        ("p", "Responses so far have been uneven. Some app stores and payment providers have "
              "withdrawn services from nudify operators, and several jurisdictions have made it "
              "an offence to create sexual deepfakes of real people. Enforcement is difficult "
              "when operators are based overseas and change domain names frequently. We believe "
              "the most effective lever is upstream: model developers and hosting companies "
              "should be expected to show that their systems cannot readily be used for this "
              "purpose before they are released."),
        ("h2", "2.2 Machine-learning classifiers"),
        ("p", "Industry practitioners sometimes speak of the hashwall, meaning the layered set of "
              "shared hash lists that large platforms use to block known abuse imagery. "
              "Classifiers are intended to catch what gets past it. They are trained to "
              "recognise visual features associated with abuse and assign each image a score, "
              "which is then used to prioritise human review. Used well, they can surface new "
              "material and newly victimised children much earlier than would otherwise be "
              "possible."),
        ("p", "Classifiers are not a complete answer. They make mistakes in both directions, and "
              "false positives carry real costs for the people wrongly flagged and for the "
              "moderators who must review them. Their accuracy can drift as image generators "
              "improve, and they can be deliberately evaded with small changes to an image. We "
              "recommend independent testing of classifier performance, published error rates, "
              "and clear rules that keep a trained person responsible for every decision that "
              "leads to a report or an account being closed."),
    ],
    # ---- printed page 4 ----
    [
        ("h1", "3. End-to-end encryption and detection"),
        ("p", "End-to-end encryption ensures that only the sender and the intended recipient of a "
              "message can read it; the service carrying the message cannot. It protects "
              "journalists, activists, businesses and ordinary users, including children, from "
              "criminals and from unwarranted surveillance. We regard strong encryption as a "
              "public good. The question this chapter addresses is narrower: what happens to the "
              "detection and reporting of child sexual abuse when a large messaging service "
              "switches encryption on by default."),
        ("p", "The immediate effect is that server-side scanning of message content stops. Many of "
              "the reports that reach hotlines and law enforcement each year come from exactly "
              "that kind of scanning on messaging and social platforms. When a service encrypts "
              "by default, its report volumes are expected to fall sharply, and that fall will "
              "reflect reduced visibility rather than reduced abuse. The Global Threat Assessment "
              "2025 also notes that offenders use encrypted channels to groom children, which "
              "makes early intervention harder."),
        ("p", "The debate about client-side scanning is an attempt to square this circle. Under "
              "such proposals, images would be checked on the user's own device against a list of "
              "known abuse material before they are encrypted and sent. Supporters argue that "
              "the check can be tightly limited and reveals nothing about lawful content. Critics "
              "respond that any mechanism able to inspect content before encryption could be "
              "widened later, that the matching lists cannot be audited by users, and that "
              "determined offenders would simply route around it."),
        ("p", "We do not think the choice is as binary as the public argument suggests. As part of "
              "this assessment the Institute carried out a capacity-mapping exercise covering "
              "eleven widely used services. For each one we recorded which safety signals remain "
              "available after encryption: user reports, account and behavioural signals, "
              "metadata patterns, unencrypted surfaces such as profile photos and public groups, "
              "and voluntary on-device protections for younger users. The results show large "
              "differences between services that have made similar encryption choices."),
        ("p", "Looking further ahead, advances such as quantum computing may unsettle the "
              "cryptographic assumptions on which today's arguments rest. Policymakers should "
              "avoid locking in approaches that depend on a particular technical settlement "
              "lasting for decades. "
              "Regulators should also revisit their assumptions regularly, since a balance between privacy and detection that seems settled today may look quite different once the underlying mathematics changes."),
    ],
    # ---- printed page 5 ----
    [
        ("h1", "4. Financially motivated sextortion"),
        ("p", "Sextortion is the use of sexual images, real or fabricated, to coerce a victim. The "
              "financially motivated form that has grown so rapidly since 2022 follows a recognisable "
              "script. An offender, usually posing as a girl of similar age, befriends a teenage "
              "boy on social media or a gaming platform, moves the conversation to a private "
              "channel, and persuades him to send an intimate image. Within minutes the tone "
              "changes: the victim is shown a list of his friends and family and told that the "
              "image will be sent to all of them unless he pays."),
        ("p", "The scale is now considerable. According to figures cited in the Global Threat "
              "Assessment 2025, the US National Center for Missing & Exploited Children was "
              "receiving roughly one hundred reports of financial sextortion every day during "
              "2024. Practitioners we spoke to believe this is an undercount, because many "
              "victims feel too ashamed to tell anyone, and because the schemes often move "
              "across several platforms in the course of a single evening."),
        ("p", "Helpline staff described a pattern they call the ransom-ladder. The first demand is "
              "often modest, perhaps a gift card or a small bank transfer, chosen to be something "
              "a teenager can find quickly. Payment is then treated as proof that the victim will "
              "comply, and the demands climb, sometimes moving to cryptocurrency or to requests "
              "for further images. Paying almost never ends the threat. Our consistent advice, "
              "shared by law enforcement, is to stop responding, keep the evidence and tell "
              "someone trustworthy."),
        ("p", "The harm can be severe. Victims report panic, shame and a sense that their life is "
              "over, and there have been tragic cases in which young people have taken their own "
              "lives within hours of first being threatened. The Global Threat Assessment 2025 "
              "highlights how sextortion increasingly overlaps with self-harm and other online "
              "harms. Hash-based takedown services, which let a young person flag an image so "
              "that participating platforms can block it without the image itself being shared, "
              "offer a practical source of reassurance."),
    ],
    # ---- printed page 6 ----
    [
        ("h1", "5. Prevention and safety by design"),
        ("p", "For too long the response to online child sexual abuse has been weighted towards "
              "what happens after harm has occurred: detection, takedown, investigation and "
              "prosecution. These remain essential. But the evidence gathered for this report "
              "points in the same direction as the international assessments that preceded it. "
              "Public health campaigns changed attitudes to smoking and to road safety by acting "
              "early and at scale, and a comparable shift is needed if the numbers in the "
              "preceding chapters are ever to fall."),
        ("p", "There is an economic argument as well as a moral one. Estimates cited in the Global "
              "Threat Assessment 2025 suggest that violence against children may cost some "
              "countries as much as 11 per cent of their gross domestic product, once the "
              "long-term effects on health, education and earnings are counted. Money spent on "
              "prevention is therefore not a diversion from enforcement but an investment that "
              "reduces future demand on police, courts, health services and schools."),
        ("p", "The Prevention Framework launched alongside that assessment organises the task into "
              "four areas: making products safe by design, strengthening regulation, expanding "
              "the help available to children and to adult survivors of abuse, and raising awareness and "
              "understanding in communities. We have used the same four areas to structure our "
              "recommendations, because a shared vocabulary makes it easier for governments, "
              "companies and charities to see where their efforts connect."),
        ("p", "Support services matter most at the moment a child realises something has gone "
              "wrong. Lanternline, the anonymous chat and phone service run by our partner "
              "organisations, answered more than nine thousand contacts from young people during "
              "2024. Its staff told us that the single most useful thing they can offer a "
              "frightened teenager is calm, specific advice delivered quickly, without judgement "
              "and without any suggestion that the young person is to blame."),
        ("p", "Education works best when it is practical and repeated. Children need to hear, "
              "before they are targeted, that sextortion scripts exist, that offenders lie about "
              "who they are, and that help is available. Lessons should avoid blaming victims "
              "for sending images and should equip parents to respond calmly. "
              "Several teachers told us that the most effective sessions were those led jointly with older pupils, whose warnings younger children took more seriously than advice from adults."),
    ],
    # ---- printed page 7 ----
    [
        ("h1", "6. Recommendations and method"),
        ("p", "For governments, we recommend sustained funding for prevention programmes, "
              "regulation that requires companies to assess and reduce risks to children before "
              "launching new features, and clear legal prohibitions on creating sexual imagery of "
              "children by any means, including artificial intelligence. Funding commitments "
              "should run for several years, because the services that support children cannot "
              "plan or recruit effectively on single-year grants."),
        ("p", "For technology companies, we recommend safety by design as a default: age-appropriate "
              "settings for younger users, friction on contact from unknown adults, prominent "
              "reporting tools, and transparent publication of the safety signals that remain "
              "available on encrypted services. Developers of generative models should test for "
              "misuse before release and share what they learn. Companies should also publish "
              "regular, comparable data on the reports they make."),
        ("p", "For schools, helplines and community organisations, we recommend investment in "
              "wayfinding: making sure that a child who is frightened or ashamed can find the "
              "right help within minutes, whether that is a helpline, a takedown service or a "
              "trusted adult. Too many of the young people we heard from did not know where to "
              "turn until long after the initial threat."),
        ("p", "Method. Our practitioner survey was distributed through professional networks "
              "between September and November 2024 and received 214 complete responses. We "
              "conducted 38 semi-structured interviews, including 12 with young people aged 16 "
              "to 19 who took part with appropriate consent and support. Published figures are "
              "attributed to their sources in the text. Survey findings are indicative rather "
              "than representative and should be read alongside the wider evidence base."),
        ("p", "This document is a fictional report created for the evidex sample corpus. The "
              "Northbridge Child Safety Institute, its survey and its interviews are invented; "
              "statistics attributed to named external sources are restated from public "
              "summaries of those sources. "
              "Any resemblance to real organisations or individuals is unintended, and this report should not be cited as evidence in its own right."),
    ],
]

TA_CONTENTS = [
    ("Foreword", "iii"),
    ("1. Overview of the threat landscape", "1"),
    ("2. AI-generated abuse imagery", "2"),
    ("    2.1 Nudify tools and synthetic likenesses", "3"),
    ("    2.2 Machine-learning classifiers", "3"),
    ("3. End-to-end encryption and detection", "4"),
    ("4. Financially motivated sextortion", "5"),
    ("5. Prevention and safety by design", "6"),
    ("6. Recommendations and method", "7"),
]


class ThreatAssessmentPDF(BasePDF):
    labels: list[str] = []

    def header(self) -> None:
        if self.page == 1:
            return
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.set_xy(self.l_margin, 10)
        self.cell(0, 4, f"{TA_AUTHOR} | {TA_TITLE}", align="L")
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        if self.page == 1:
            return
        self.set_y(-15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 5, self.labels[self.page - 1], align="C")


def write_blocks(pdf: FPDF, blocks: list[tuple[str, str]], what: str, size: float = 11) -> None:
    lh = size * 0.47
    for kind, text in blocks:
        if kind == "h1":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 15)
            pdf.multi_cell(0, 8, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "h2":
            pdf.ln(1)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 6.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind in ("p", "p_cont", "p_open"):
            pdf.set_font("Helvetica", "", size)
            pdf.multi_cell(0, lh, text, align="J", new_x="LMARGIN", new_y="NEXT")
            if kind != "p_open":
                pdf.ln(3)
        elif kind == "sig":
            pdf.ln(3)
            pdf.set_font("Helvetica", "I", size)
            pdf.multi_cell(0, lh, text, align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            raise ValueError(kind)
        pdf.check_fits(what)


def make_threat_assessment(path: Path) -> None:
    pdf = ThreatAssessmentPDF(utc(2025, 3, 14, 9, 0, 0))
    pdf.set_title(TA_TITLE)
    pdf.set_author(TA_AUTHOR)
    pdf.set_subject("Trends in AI-generated abuse imagery, encryption, sextortion and prevention")
    pdf.set_keywords("online child safety; AI; end-to-end encryption; sextortion; prevention")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(False, margin=22)
    pdf.labels = ["i", "ii", "iii"] + [str(n) for n in range(1, len(TA_BODY) + 1)]

    # Cover (label i, no printed footer)
    pdf.add_page()
    pdf.set_page_label("r")
    pdf.set_fill_color(18, 52, 86)
    pdf.rect(0, 0, pdf.w, 95, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(22, 40)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, TA_AUTHOR.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(22, 115)
    pdf.set_font("Helvetica", "B", 26)
    pdf.multi_cell(0, 12, TA_TITLE, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 14)
    pdf.multi_cell(0, 7, "Trends in technology-facilitated child sexual abuse and what it will "
                         "take to prevent it", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(22, 250)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, "March 2025", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, "A fictional report produced for the evidex sample corpus.",
                   new_x="LMARGIN", new_y="NEXT")

    # Contents (ii)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for title, label in TA_CONTENTS:
        pdf.cell(140, 7, title, new_x="RIGHT", new_y="TOP")
        pdf.cell(0, 7, label, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Suggested citation", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, f"{TA_AUTHOR} (2025). {TA_TITLE}. Northbridge: NCSI. Page references "
                         "in this report use the printed page numbers shown at the foot of each "
                         "page; front matter is numbered with lower-case roman numerals.",
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.check_fits("contents")

    # Foreword (iii)
    pdf.add_page()
    write_blocks(pdf, [("h1", "Foreword")] + TA_FOREWORD, "foreword")

    # Body 1..n
    for i, blocks in enumerate(TA_BODY):
        pdf.add_page()
        if i == 0:
            pdf.set_page_label("D", label_start=1)
        write_blocks(pdf, blocks, f"body page {i + 1}")

    pdf.output(str(path))


# ---------------------------------------------------------------------------
# 2. Calder Institute - Encryption briefing 2024 (two columns)
# ---------------------------------------------------------------------------

EB_TITLE = "Encryption, Detection and Child Protection: A Policy Briefing"
EB_AUTHOR = "Calder Institute for Digital Policy"

# Each page: list of ("h", text) / ("p", text) blocks laid out in two columns.
EB_PAGES: list[list[tuple[str, str]]] = [
    [
        ("h", "Key points"),
        ("p", "End-to-end encryption is now the default on several of the most popular messaging "
              "services. It gives users strong protection against criminals and unwanted "
              "surveillance. It also removes the ability of those services to scan message "
              "content for known child sexual abuse material, which has historically been one of "
              "the largest sources of reports to hotlines and police. "
              "Reports generated in this way have been central to many investigations."),
        ("p", "This briefing sets out what changes when encryption is switched on, summarises the "
              "arguments for and against client-side scanning, and describes the signals that "
              "remain available to platforms after encryption. It concludes with options for "
              "policymakers that do not depend on weakening encryption for everyone. "
              "It is intended for officials, legislators and advocates who need a short, balanced account of a contested issue."),
        ("h", "1. Why encryption matters"),
        ("p", "Encryption scrambles a message so that it can only be read by someone holding the "
              "right key. In an end-to-end system, that key is held only on the devices of the "
              "people in the conversation. The company running the service is not a keyholder "
              "and cannot read what passes through its servers, even if it is served with a "
              "warrant or suffers a data breach."),
        ("p", "These properties protect people in many situations: a teenager confiding in a "
              "friend, a domestic abuse survivor contacting a support worker, a business "
              "discussing a merger, or a reporter speaking to a source. Security researchers "
              "broadly agree that any deliberate weakness built into an encryption system, "
              "however carefully designed, can eventually be found and exploited by others. "
              "Weaknesses rarely stay in the hands of those they were built for."),
        ("p", "Children are among those who gain from this protection. Young people share "
              "personal photographs, health worries and details of where they live and study. "
              "If that information is intercepted or leaked, it can itself be used to locate, "
              "groom or blackmail them. Any assessment of encryption policy should therefore "
              "count the harms it prevents as well as the detection it makes harder."),
        ("h", "2. How detection works today"),
        ("p", "On unencrypted services, platforms typically compare uploaded images and videos "
              "against lists of digital fingerprints, known as hashes, of material that has "
              "already been confirmed as abuse. Matches are reviewed and reported to national "
              "hotlines. Some platforms also use machine-learning classifiers to flag new "
              "material and text analysis to identify possible grooming conversations. "
              "The process usually takes seconds and no person views the content unless a match is found."),
        ("p", "This work operates at enormous scale. A 2021 international threat assessment "
              "observed that the US National Center for Missing & Exploited Children was "
              "handling around 60,000 reports of suspected online abuse a day, the great "
              "majority of them generated by automated detection on large platforms. Any change "
              "to those platforms therefore has consequences far beyond a single company. "
              "Most of those reports came from a small number of very large companies."),
    ],
    [
        ("h", "3. What default encryption changes"),
        ("p", "When a messaging service encrypts content by default, server-side scanning of that "
              "content stops. The number of reports the service makes will fall, and it may fall "
              "steeply. It is important to be clear about what that fall means. It reflects a "
              "loss of visibility, not a fall in the amount of abuse taking place. "
              "Comparisons between years will therefore need careful interpretation."),
        ("p", "The Global Threat Assessment 2025 from the WeProtect Global Alliance notes that "
              "offenders use end-to-end encrypted channels to groom children and to share "
              "material, and that this complicates detection and prevention alike. Investigators "
              "we consulted said the greatest loss is not evidence for prosecutions, which can "
              "often be obtained from seized devices, but early warning: the chance to identify "
              "a child at risk before abuse escalates."),
        ("p", "The reports that do continue to arrive from encrypted services tend to come from "
              "users rather than from automated systems. Those reports are often richer in "
              "context, because a person has chosen to explain what happened, but they depend "
              "on victims and bystanders recognising abuse and knowing how to report it. Children "
              "who are being groomed frequently do neither. "
              "Younger children, in particular, rarely report anything at all."),
        ("h", "4. The client-side scanning debate"),
        ("p", "Client-side scanning proposes to run the matching step on the user's own device "
              "before a message is encrypted. In most designs a photo would be converted into a "
              "fingerprint on the phone and compared with a list of known abuse material; only "
              "a match would trigger any further action. Supporters describe this as a narrowly "
              "targeted tripwire that leaves all other content private."),
        ("p", "Opponents raise several objections. Users cannot inspect the lists their devices "
              "are checking against, so the scope could be widened without their knowledge, for "
              "example to political content. Perceptual fingerprints can produce false matches "
              "and can be manipulated deliberately. And because the scanning code must run on "
              "every device, a flaw or misuse would affect millions of people at once."),
        ("p", "There are also practical doubts. Matching against known material cannot detect new "
              "imagery, including images generated by artificial intelligence, and determined "
              "offenders can move to tools that do not include scanning. Some technical experts "
              "therefore argue that client-side scanning would impose significant risks on "
              "ordinary users while delivering limited protection for children. "
              "In their view, the resources involved would do more good elsewhere."),
        ("p", "Legislators in several jurisdictions have debated requiring such scanning and "
              "then stepped back, often after strong objections from security researchers and "
              "civil liberties groups. The disagreement is likely to continue for some time. "
              "Proposals in Europe that would have allowed authorities to order providers to scan private messages, for instance, prompted a long dispute between governments, child protection groups and privacy advocates that was still unresolved when this briefing was written."),
    ],
    [
        ("h", "5. Signals that survive encryption"),
        ("p", "Encryption protects the content of messages, but a service still holds other "
              "information that can help keep children safe. Account signals include the age a "
              "user has declared, how old an account is and whether it has been reported before. "
              "Behavioural signals include an adult contacting large numbers of unconnected "
              "children in a short time, or accounts that are repeatedly created and abandoned."),
        ("p", "Many parts of a service are not end-to-end encrypted at all. Profile pictures, "
              "usernames, group names and public posts can still be scanned in the ordinary way. "
              "User reports remain vital: when a person reports a conversation, they can choose to "
              "share the decrypted messages with the service, giving moderators the context they "
              "need. Each of these is a breadcrumb rather than proof, but together they can "
              "reveal patterns of predatory behaviour."),
        ("p", "On-device safety features offer another route. Some phones can blur nude images "
              "for younger users and offer a warning and a link to help before the image is "
              "viewed or sent. Because the analysis happens locally and nothing is reported to "
              "the company, these tools raise fewer privacy concerns than mandatory scanning, "
              "though their effectiveness depends on sensible defaults. "
              "Some messaging apps have begun to offer similar protections."),
        ("h", "6. Options for policymakers"),
        ("p", "Policymakers who want to protect children without weakening encryption have "
              "several options. They can require companies to carry out and publish risk "
              "assessments before switching encryption on by default, setting out which safety "
              "signals will remain and how they will be used. They can require effective, "
              "easy-to-use reporting tools in every messaging product. "
              "Regulators would then have a basis for asking whether promised safeguards have been delivered."),
        ("p", "They can also fund the organisations that receive reports, so that a smaller "
              "number of higher-quality reports is acted on more quickly, and invest in "
              "prevention programmes that reduce the number of children who are targeted in the "
              "first place. None of these measures requires access to message content. "
              "Prevention spending remains small compared with enforcement in most countries."),
        ("p", "Finally, governments can commission independent research into what actually "
              "happens to child protection outcomes after encryption is rolled out. At present "
              "the debate relies heavily on projections. Careful before-and-after studies, with "
              "access to anonymised data from companies, would give lawmakers a firmer basis "
              "for deciding whether further measures are needed. "
              "Such studies should be designed in advance, with measures agreed before any change is made."),
    ],
    [
        ("h", "7. Conclusion"),
        ("p", "The argument about encryption and child protection is often presented as a choice "
              "between privacy and safety. That framing is unhelpful. Children benefit from "
              "secure communications, and they are also harmed when abuse goes undetected. A "
              "more productive question is which combination of design choices, reporting "
              "routes and prevention work offers children the most protection while keeping "
              "encryption strong for everyone."),
        ("p", "We hope this briefing serves as a useful waypoint for that discussion rather than "
              "a final word. The technology will keep changing. Advances in cryptography, "
              "including the longer-term prospect of quantum computing, may alter the technical "
              "options available, and policy should be flexible enough to adapt. "
              "We will update it as new evidence becomes available, and we welcome comments from readers."),
        ("h", "Glossary"),
        ("p", "End-to-end encryption: a design in which messages are encrypted on the sender's "
              "device and can only be decrypted on the recipient's device, so that the service "
              "provider cannot read them in transit or in storage."),
        ("p", "Hash matching: comparing a short digital fingerprint of a file with a list of "
              "fingerprints of known material. A cryptographic hash changes completely if a "
              "single pixel changes; a perceptual hash is designed to stay similar when an "
              "image is resized, cropped or recompressed."),
        ("p", "Client-side scanning: any system that inspects content on a user's device, "
              "before encryption or after decryption, and may report the result to a third "
              "party."),
        ("p", "Classifier: a machine-learning model that estimates how likely it is that a piece "
              "of content belongs to a category, such as sexual abuse imagery, including "
              "content it has never seen before."),
        ("h", "About this briefing"),
        ("p", "The Calder Institute for Digital Policy is a fictional independent research "
              "organisation invented for the evidex sample corpus. This briefing was written in "
              "June 2024. Figures attributed to other organisations are restated from public "
              "summaries of their published reports. "
              "Any resemblance to real organisations or individuals is unintended, and comments on this fictional briefing are not being collected by anyone."),
    ],
]


class BriefingPDF(BasePDF):
    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.set_xy(self.l_margin, 9)
        self.cell(0, 4, "Calder Institute for Digital Policy - Policy Briefing, June 2024", align="R")
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, 14, self.w - self.r_margin, 14)
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 5, str(self.page_no()), align="C")


def make_briefing(path: Path) -> None:
    pdf = BriefingPDF(utc(2024, 6, 12, 10, 30, 0))
    pdf.set_title(EB_TITLE)
    pdf.set_author(EB_AUTHOR)
    pdf.set_subject("End-to-end encryption, client-side scanning and the detection of child sexual abuse")
    pdf.set_keywords("end-to-end encryption; client-side scanning; detection; reporting; child safety")
    pdf.set_margins(18, 20, 18)
    pdf.set_auto_page_break(True, margin=18)

    for i, blocks in enumerate(EB_PAGES):
        pdf.add_page()
        start_page = pdf.page
        if i == 0:
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(0, 9, EB_TITLE, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
            pdf.set_font("Helvetica", "I", 11)
            pdf.multi_cell(0, 5.5, f"{EB_AUTHOR} | Briefing No. 7 | June 2024",
                           align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(5)
        cols = pdf.text_columns(ncols=2, gutter=8, text_align="J", line_height=1.3, balance=True)
        with cols:
            for kind, text in blocks:
                if kind == "h":
                    pdf.set_font("Helvetica", "B", 11)
                    with cols.paragraph(text_align="L", top_margin=3, bottom_margin=1.5) as par:
                        par.write(text)
                else:
                    pdf.set_font("Helvetica", "", 10)
                    with cols.paragraph(bottom_margin=2.5) as par:
                        par.write(text)
        if pdf.page != start_page:
            raise SystemExit(f"briefing page {i + 1} overflowed")

    pdf.output(str(path))


# ---------------------------------------------------------------------------
# 3. Harbour Online Safety Trust - Annual Review 2023 (no /Title)
# ---------------------------------------------------------------------------

AR_AUTHOR = "Harbour Online Safety Trust"
AR_HEADER = "Harbour Online Safety Trust \u00b7 Annual Review 2023"
AR_FOOTER = "Harbour Online Safety Trust is a fictional charity created for the evidex sample corpus."

SHY = "\u00ad"  # soft hyphen: lets justified text break long words naturally


def shy(text: str) -> str:
    """Insert soft hyphens into a few long words, as a typesetter would allow."""
    for word, hyph in [
        ("organisations", "organ-isa-tions"),
        ("safeguarding", "safe-guard-ing"),
        ("professionals", "profes-sion-als"),
        ("conversations", "conver-sa-tions"),
        ("understanding", "under-stand-ing"),
        ("communities", "commun-ities"),
        ("independently", "indepen-dently"),
        ("relationships", "relation-ships"),
        ("practitioners", "practi-tion-ers"),
        ("responsibility", "respon-sibil-ity"),
        ("recommendations", "recom-menda-tions"),
        ("volunteers", "volun-teers"),
        ("sextortion", "sex-tor-tion"),
        ("participating", "partic-i-pat-ing"),
        ("manipulated", "manip-u-lat-ed"),
        ("manipulation", "manip-u-la-tion"),
        ("enforcement", "enforce-ment"),
        ("prevention", "preven-tion"),
        ("conversation", "conver-sa-tion"),
        ("technology", "tech-nol-ogy"),
        ("significant", "sig-nif-i-cant"),
        ("encouraged", "encour-aged"),
        ("experiences", "expe-ri-ences"),
        ("frightening", "fright-en-ing"),
        ("circumstances", "circum-stances"),
        ("intelligence", "intel-li-gence"),
        ("contributed", "contrib-uted"),
        ("screenshots", "screen-shots"),
        ("downloaded", "down-loaded"),
        ("foundations", "foun-da-tions"),
        ("enquiries", "enquir-ies"),
        ("countdown", "count-down"),
        ("assessment", "assess-ment"),
        ("importantly", "impor-tantly"),
        ("programme", "pro-gramme"),
        ("thoughtful", "thought-ful"),
        ("accessible", "acces-si-ble"),
        ("prosecutions", "prose-cu-tions"),
        ("classmates", "class-mates"),
        ("encryption", "encryp-tion"),
        ("realistic", "real-is-tic"),
        ("champions", "cham-pi-ons"),
        ("resilience", "resil-ience"),
        ("unrestricted", "unre-stricted"),
        ("charitable", "char-i-ta-ble"),
    ]:
        text = re.sub(rf"\b{word}\b", hyph.replace("-", SHY), text)
    return text


AR_PAGES: list[list[tuple[str, str]]] = [
    [
        ("title", "Annual Review 2023"),
        ("subtitle", "Preventing harm, supporting young people and responding to sextortion"),
        ("h", "A message from our chair"),
        ("p", "This has been the busiest year in the Trust's history. More young people contacted "
              "our services than ever before, more schools asked us to visit, and more technology "
              "companies sought our advice on how to design their products with children's "
              "safety in mind. Behind each of those numbers is a person who needed help, and I "
              "want to begin by thanking the staff and volunteers who were there for them, often "
              "late at night and often in difficult circumstances."),
        ("p", "Our founding idea was that every child should have a safe anchorage online: a place "
              "to turn when something goes wrong, and the knowledge to avoid harm in the first "
              "place. That idea has guided the Trust through a year in which one kind of harm, "
              "financially motivated sextortion, has grown faster than any other we have seen. "
              "This review explains how we responded and what we learned."),
        ("p", "We have also continued to argue, with our partners, that prevention must sit at "
              "the centre of efforts to protect children. Education, thoughtful product design and "
              "accessible support services do not make headlines in the way that arrests and "
              "prosecutions do, but they are what will reduce the number of children who are "
              "harmed in years to come. I am proud of the part the Trust played in making that "
              "case this year."),
        ("sig", "Margaret Ellison-Hale, Chair of Trustees"),
    ],
    [
        ("h", "Our year in numbers"),
        ("p", "During 2023 our helpline and chat services handled 12,480 contacts from children "
              "and young people, an increase of 31 per cent on the previous year. Around four in "
              "ten concerned an image: a picture someone regretted sending, a threat to share "
              "one, or an image that had been altered without consent. A further quarter "
              "concerned online relationships that had become controlling or frightening, and the "
              "remainder covered bullying, harmful content and worries about friends."),
        ("p", "The most significant change in how we work was the launch of Nightwatch, our "
              "evening chat service for teenagers, which operates from six in the evening until "
              "two in the morning. We designed it after listening to young people who told us "
              "that the moments when they most needed help were late at night, when parents were "
              "asleep and other services were closed. In its first eight months Nightwatch "
              "supported more than three thousand conversations."),
        ("p", "Our advisers are trained to respond calmly and practically. For a young person who "
              "is being threatened, the first few minutes of a conversation matter enormously. "
              "We help them stop replying to the offender, preserve evidence, report the account "
              "and, where appropriate, use a takedown service so that the image can be blocked "
              "on participating platforms. Above all, we make clear that what has happened is not "
              "their fault."),
        ("p", "Professionals also relied on us more this year. Our advice line for teachers, "
              "social workers and youth leaders answered 2,150 enquiries, many of them from "
              "schools dealing with incidents in which pupils' photographs had been manipulated "
              "using nudify apps and shared among classmates. "
              "The number of such enquiries grew steadily through the year, and we responded by publishing a short guide for school leaders on handling incidents involving altered images."),
    ],
    [
        ("h", "Responding to sextortion"),
        ("p", "Sextortion was the fastest-growing concern reported to our services in 2023, with "
              "contacts about it more than doubling. The typical pattern was the same one "
              "described by law enforcement agencies around the world. A boy aged between "
              "fourteen and seventeen is approached by someone presenting as a girl of a similar "
              "age, is persuaded to share an intimate image, and is then threatened with exposure "
              "to family and friends unless he pays money, often within the hour."),
        ("p", "What struck our advisers most was the speed and intensity of these threats. Young "
              "people described receiving dozens of messages in a few minutes, including "
              "screenshots of their follower lists and countdown timers. Some had already paid "
              "before they contacted us, and almost all of those had received further demands. "
              "Our message is consistent: do not pay, do not engage, and tell someone you trust."),
        ("p", "In response we developed a lifebuoy pack for young people and their parents: a "
              "short, plain-language guide setting out what to do in the first hour after a "
              "threat, where to report, and how to get an image removed. It was written with a "
              "group of young volunteers who insisted that it should avoid any hint of blame. "
              "More than forty thousand copies were downloaded during the year."),
        ("p", "We also shared anonymised patterns from our contacts with partner organisations and "
              "with two large platforms, helping them to understand the scripts offenders use. "
              "In one case this contributed to the removal of a network of accounts that had "
              "targeted hundreds of teenagers. We will continue this work, because the insight "
              "that comes from talking directly to young people is something that automated "
              "systems cannot replicate."),
    ],
    [
        ("h", "Prevention in schools and communities"),
        ("p", "Our schools programme reached 186 secondary schools in 2023, up from 120 the year "
              "before. Sessions for pupils focus on recognising manipulation, understanding that "
              "images can be faked, and knowing where to get help. We now run a separate session "
              "for boys aged thirteen to fifteen on sextortion, because evidence from our helpline "
              "shows that they are the group most often targeted and the least likely to ask for "
              "support."),
        ("p", "We believe that effective prevention reaches parents as well as children. Our "
              "evening workshops for families explain how common online threats work and, just "
              "as importantly, how to react if a child discloses that something has happened. "
              "Parents told us that the most valuable part of the session was practising what to "
              "say. A calm first response makes it far more likely that a child will come back "
              "for help in future."),
        ("h", "Safety by design"),
        ("p", "Alongside our direct work with young people, we advised six technology companies on "
              "product changes intended to reduce risk. Our recommendations included default "
              "private accounts for under-eighteens, limits on messages from unknown adults, "
              "clearer reporting tools and warnings when a young user is about to share an image. "
              "We call this work the tideline review, because it looks at where harm tends to wash "
              "up in a product and asks how the design could keep it further away from children."),
        ("p", "We were encouraged that several of these changes were adopted during the year, "
              "including by two companies that made private accounts the default for all new users "
              "under sixteen. We will publish a short independent assessment of their effect next "
              "year, so that other companies can learn from what worked and what did not, and we "
              "plan to share the review method openly."),
    ],
    [
        ("h", "Looking ahead to 2024"),
        ("p", "The coming year will bring new challenges. Generative artificial intelligence is "
              "making it easier to create realistic sexual images of real children, and we expect "
              "contacts about manipulated images to keep rising. Messaging services are also "
              "moving towards default end-to-end encryption, which will change how harm is "
              "detected and reported. We will work with partners to make sure that young people "
              "who experience harm in encrypted spaces can still report it easily and get help."),
        ("p", "Our priorities for 2024 are to extend our evening chat service to seven nights a week, to train "
              "five hundred more teachers as prevention champions, and to publish our first "
              "research report on the experiences of young men who have been targeted by "
              "sextortion. We will also continue to press for sustained public funding of "
              "prevention, which remains far smaller than spending on enforcement."),
        ("h", "Finances and thanks"),
        ("p", "Total income for the year was 2.4 million pounds, of which 58 per cent came from "
              "charitable trusts and foundations, 24 per cent from individual donors and 18 per "
              "cent from contracts with public bodies. We spent 86 pence of every pound directly "
              "on our charitable work. Our trustees regard the level of unrestricted reserves as a "
              "bellwether of the Trust's resilience, and we ended the year with reserves equal to "
              "four months of running costs."),
        ("p", "We are grateful to every donor, partner, school and volunteer who supported us in "
              "2023, and above all to the young people who trusted us with their stories. "
              "Their courage in speaking to us shapes everything we do, and their suggestions have directly changed how our services work. We look forward to continuing that partnership in 2024 and to reporting back on our progress in next year's review."),
    ],
]


class AnnualReviewPDF(BasePDF):
    def header(self) -> None:
        self.set_font("Helvetica", "", 8.5)
        self.set_text_color(20, 90, 120)
        self.set_xy(self.l_margin, 10)
        self.cell(0, 4, AR_HEADER, align="L")
        self.set_draw_color(20, 90, 120)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-18)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 5, f"Page {self.page_no()}", align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(110, 110, 110)
        self.cell(0, 4, AR_FOOTER, align="C")
        self.set_text_color(0, 0, 0)


def make_annual_review(path: Path) -> None:
    pdf = AnnualReviewPDF(utc(2023, 12, 4, 14, 0, 0))
    # Deliberately no set_title(): the info dictionary has no /Title.
    pdf.set_author(AR_AUTHOR)
    pdf.set_subject("Annual review of prevention work, helpline services and sextortion response")
    pdf.set_margins(24, 24, 24)
    pdf.set_auto_page_break(False, margin=24)

    for i, blocks in enumerate(AR_PAGES):
        pdf.add_page()
        for kind, text in blocks:
            if kind == "title":
                pdf.ln(4)
                pdf.set_font("Helvetica", "B", 24)
                pdf.cell(0, 12, text, new_x="LMARGIN", new_y="NEXT")
            elif kind == "subtitle":
                pdf.set_font("Helvetica", "", 13)
                pdf.multi_cell(0, 6.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(6)
            elif kind == "h":
                pdf.ln(1)
                pdf.set_font("Helvetica", "B", 13)
                pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5)
            elif kind == "p":
                pdf.set_font("Helvetica", "", 10.5)
                pdf.multi_cell(0, 5.1, shy(text), align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif kind == "sig":
                pdf.set_font("Helvetica", "I", 10.5)
                pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            else:
                raise ValueError(kind)
            pdf.check_fits(f"annual review page {i + 1}")

    pdf.output(str(path))


# ---------------------------------------------------------------------------
# HTML articles
# ---------------------------------------------------------------------------

HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} | {site}</title>
  <meta name="description" content="{description}">
  <meta name="author" content="{author}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="{site}">
  <meta property="og:url" content="{url}">
  <meta property="article:published_time" content="{published}">
  <meta property="article:section" content="{section}">
  <link rel="canonical" href="{url}">
  <link rel="stylesheet" href="/assets/site.css">
  <script type="application/ld+json">
  {{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "{title}",
    "author": {{"@type": "Person", "name": "{author}"}}, "datePublished": "{published}",
    "publisher": {{"@type": "Organization", "name": "{site}"}}}}
  </script>
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <a class="logo" href="/">{site}</a>
    <nav class="main-nav" aria-label="Main menu">
      <ul>
{nav}
      </ul>
    </nav>
    <form class="search" action="/search" role="search"><input type="search" name="q" placeholder="Search"><button>Go</button></form>
  </header>

  <main id="main">
    <div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/{section_slug}/">{section}</a></div>
    <article class="post">
      <header class="post-header">
        <h1>{title}</h1>
        <p class="standfirst">{description}</p>
        <p class="byline">By <a rel="author" href="/authors/{author_slug}/">{author}</a> &middot; <time datetime="{published}">{published_human}</time> &middot; {read_time} min read</p>
      </header>
      <div class="post-body">
{body}
      </div>
      <footer class="post-footer">
        <p class="tags">Tags: {tags}</p>
        <div class="share">Share: <a href="#">Email</a> <a href="#">Copy link</a></div>
      </footer>
    </article>

    <aside class="related" aria-label="Related stories">
      <h2>Related stories</h2>
      <ul>
{related}
      </ul>
    </aside>

    <div class="newsletter">
      <h2>Get our weekly newsletter</h2>
      <p>A short digest of our reporting, every Friday. Unsubscribe at any time.</p>
      <form action="/newsletter"><input type="email" name="email" placeholder="Email address"><button>Sign up</button></form>
    </div>
  </main>

  <footer class="site-footer">
    <ul class="footer-links">
      <li><a href="/about/">About us</a></li>
      <li><a href="/contact/">Contact</a></li>
      <li><a href="/privacy/">Privacy policy</a></li>
      <li><a href="/terms/">Terms of use</a></li>
    </ul>
    <p class="copyright">&copy; {year} {site}. {site} is a fictional publication created for the evidex sample corpus.</p>
    <div class="cookie-notice" role="dialog" aria-label="Cookie notice">
      <p>We use cookies to understand how our site is used and to improve it. You can accept all cookies or manage your preferences. Read our <a href="/privacy/#cookies">cookie policy</a>.</p>
      <button class="accept">Accept all</button> <button class="manage">Manage preferences</button>
    </div>
  </footer>
  <script src="/assets/analytics.js" defer></script>
</body>
</html>
"""

HTML_ARTICLES = [
    {
        "file": "ai-abuse-imagery-schools.html",
        "site": "The Civic Ledger",
        "url": "https://civicledger.example.org/technology/2024/10/ai-abuse-imagery-schools",
        "title": "Schools confront a wave of AI-generated abuse imagery",
        "description": "Teachers and hotline analysts say cheap image generators and nudify apps are "
                       "creating new harms faster than rules can catch up.",
        "author": "Priya Ramaswamy",
        "published": "2024-10-08T07:30:00+00:00",
        "published_human": "8 October 2024",
        "section": "Technology",
        "read_time": 6,
        "tags": "artificial intelligence, child safety, schools, deepfakes",
        "nav": ["News", "Technology", "Education", "Opinion", "Investigations"],
        "related": [
            ("/technology/2024/07/nudify-apps-payments", "Payment firms cut off nudify app operators"),
            ("/education/2024/05/deepfake-lessons", "What pupils are being taught about deepfakes"),
        ],
        "body": [
            ("p", "When the head of a secondary school in the north of England opened an email from "
                  "a worried parent last spring, she assumed it would be about a falling-out in a "
                  "group chat. Instead it described a set of sexual images of several Year 9 girls "
                  "that had been passed around the school. None of the girls had ever taken such "
                  "pictures. Their faces had been lifted from ordinary photographs and combined "
                  "with explicit bodies by a free app."),
            ("p", "Stories like this one are becoming familiar to teachers, police and child "
                  "protection charities. Image generators that once required expensive hardware "
                  "and technical skill now run in a web browser, and so-called nudify services "
                  "advertise openly, promising to undress anyone in a photo. Analysts at hotlines "
                  "that assess reports of abuse imagery say the realism of the output has improved "
                  "sharply in little more than a year."),
            ("h2", "A sharp rise in reports"),
            ("p", "The numbers are hard to pin down, partly because synthetic images are difficult "
                  "to distinguish from photographs. But the trend is clear. Child protection "
                  "bodies in the United States have reported a dramatic year-on-year increase in "
                  "referrals involving generative AI, and a 2025 international threat assessment "
                  "later put that rise at more than 1,300 per cent. Analysts describe spending "
                  "hours trying to establish whether a real child appears in an image before they "
                  "can decide what to do with it."),
            ("p", "That uncertainty matters. Hotlines exist to find and protect children who are "
                  "being abused. Every synthetic image that has to be examined as though it might "
                  "show a real victim takes time away from cases where a child may be in immediate "
                  "danger. Some analysts also worry that a flood of fabricated material could make "
                  "it harder to spot the genuine cases hidden among it."),
            ("h2", "Why filters struggle"),
            ("p", "Most large platforms block known abuse imagery using hash matching, which "
                  "compares a fingerprint of each file with a database of images that have already "
                  "been verified. The technique has been very effective against material that "
                  "circulates repeatedly. It is far less useful against images produced on demand, "
                  "each of which is technically new. Companies are increasingly turning to "
                  "machine-learning classifiers that judge what an image shows rather than whether "
                  "it has been seen before."),
            ("p", "Classifiers come with their own problems. They can mistake innocent family "
                  "photos for abuse and miss content that has been subtly altered, and their "
                  "accuracy has to be checked constantly as generators improve. Researchers who "
                  "spoke to The Civic Ledger said independent testing and public reporting of "
                  "error rates would help, but that few companies currently publish such figures. "
              "Independent audits of these systems remain rare."),
            ("h2", "What schools can do"),
            ("p", "For the school in the north of England, the immediate priorities were practical: "
                  "supporting the girls involved, contacting the police, and asking the platforms "
                  "to remove the images. The head teacher says the harder work came afterwards, in "
                  "assemblies and lessons that explained to pupils why creating such images is "
                  "harmful and, in many countries, illegal, even when no real photograph of a body "
                  "was ever taken."),
            ("p", "Campaigners argue that responsibility should not rest on schools alone. They "
                  "want developers to test their models for misuse before release, app stores and "
                  "payment providers to refuse service to nudify operators, and governments to "
                  "make clear that creating sexual images of children is a crime whatever the "
                  "method. Until then, one child protection adviser said, the burden falls on the "
                  "children whose faces are taken without their knowledge."),
        ],
    },
    {
        "file": "sextortion-teenage-boys.html",
        "site": "Parent Signal",
        "url": "https://parentsignal.example.com/guides/2025/02/sextortion-what-parents-need-to-know",
        "title": "Sextortion: what parents of teenage boys need to know",
        "description": "Criminal gangs are targeting teenage boys with fake profiles and threats to "
                       "share intimate images. Here is how the scams work and how to help.",
        "author": "Tom\u00e1s Ferreira",
        "published": "2025-02-17T12:00:00+00:00",
        "published_human": "17 February 2025",
        "section": "Guides",
        "read_time": 5,
        "tags": "sextortion, teenagers, online safety, parenting",
        "nav": ["Home", "Guides", "Age by age", "Gaming", "Ask an expert"],
        "related": [
            ("/guides/2024/11/talking-about-nudes", "How to talk to your teen about nude images"),
            ("/guides/2024/09/gaming-chat-safety", "Keeping in-game chat safe"),
        ],
        "body": [
            ("p", "It usually starts with a friendly message. A profile that looks like a girl of "
                  "about the same age follows a teenage boy on a social app, compliments him, and "
                  "suggests moving the chat somewhere more private. Within an hour or two the "
                  "conversation turns flirtatious and she sends a photo, which is almost always "
                  "stolen or generated, and asks for one in return. Once he sends it, everything "
                  "changes."),
            ("p", "The new message is blunt. The sender shows him a screenshot of his follower list, "
                  "names his parents, his school and his friends, and says the image will be sent "
                  "to all of them unless he pays. The amounts vary, but the first demand is often "
                  "small enough that a teenager could find the money quickly, perhaps through a "
                  "gift card or a transfer from a bank app. That is the hallmark of financially "
                  "motivated sextortion."),
            ("h2", "How common is it?"),
            ("p", "Far more common than most parents realise. The US National Center for Missing "
                  "& Exploited Children said it was receiving around a hundred reports of "
                  "financial sextortion every day during 2024, and helplines in Europe and "
                  "Australia describe similar surges. The vast majority of targets are boys aged "
                  "between fourteen and seventeen. Investigators say many of the schemes are run "
                  "by organised groups working from scripts, often from overseas."),
            ("p", "Child safety experts believe the true figure is higher still, because shame "
                  "keeps many victims silent. Boys in particular may feel they have been stupid, "
                  "or worry that they will be punished for sending the image in the first place. "
                  "Offenders exploit that fear by piling on pressure, sending dozens of messages "
                  "in minutes and setting deadlines that leave no time to think."),
            ("h2", "What to do if it happens"),
            ("p", "The advice from police and helplines is consistent. Do not pay, because payment "
                  "rarely ends the threats and often leads to bigger demands. Stop replying, but do "
                  "not delete the conversation: take screenshots of the messages, the profile and "
                  "any payment details. Report the account to the platform and to the police. "
                  "Services exist that let young people create a digital fingerprint of an image "
                  "so participating platforms can block it without anyone having to see it."),
            ("p", "Most importantly, a young person needs to hear that it is not their fault. "
                  "Parents who stay calm, thank their child for telling them and focus on fixing "
                  "the problem make it far more likely that the child will ask for help again. "
                  "Tragically, some teenagers have taken their own lives after being targeted, "
                  "which is why experts stress that the threat feels overwhelming but can almost "
                  "always be dealt with."),
            ("h2", "Talking about it before it happens"),
            ("p", "Prevention starts with an ordinary conversation. Explain that these scams exist, "
                  "that the person on the other end is rarely who they claim to be, and that "
                  "anyone who is threatened can come to you without being in trouble. Some parents "
                  "find it easier to raise the subject by mentioning a news story rather than "
                  "asking direct questions. The aim is simply that, if the worst happens, your "
                  "son already knows what to do and who to tell."),
        ],
    },
    {
        "file": "client-side-scanning-debate.html",
        "site": "Netwatch Review",
        "url": "https://netwatchreview.example.net/policy/2023/09/client-side-scanning-encryption-debate",
        "title": "The client-side scanning fight is really about trust",
        "description": "Lawmakers want encrypted messaging apps to check for child abuse material on "
                       "users' phones. Security experts say that would break the promise of encryption.",
        "author": "Helen Okafor",
        "published": "2023-09-21T16:45:00+00:00",
        "published_human": "21 September 2023",
        "section": "Policy",
        "read_time": 7,
        "tags": "encryption, client-side scanning, privacy, regulation",
        "nav": ["Latest", "Policy", "Security", "Platforms", "Podcasts"],
        "related": [
            ("/security/2023/06/perceptual-hash-collisions", "Researchers show perceptual hashes can be fooled"),
            ("/platforms/2023/03/default-encryption-rollout", "What default encryption means for your messages"),
        ],
        "body": [
            ("p", "Few technology policy arguments have lasted as long, or generated as much heat, "
                  "as the one over encryption and child protection. Its latest form concerns "
                  "client-side scanning: the idea that messaging apps could check photos and "
                  "videos on a user's phone for known child sexual abuse material before they are "
                  "encrypted and sent. Supporters call it a proportionate safeguard. Opponents call "
                  "it a backdoor by another name."),
            ("p", "The stakes are real on both sides. End-to-end encryption means that only the "
                  "people in a conversation can read it, which protects billions of users from "
                  "hackers, stalkers and overreaching governments. But it also means that the "
                  "service provider can no longer scan message content, and that kind of scanning "
                  "currently produces a large share of the reports that help police find abused "
                  "children."),
            ("h2", "How the proposals would work"),
            ("p", "Most proposals rely on perceptual hashing. The phone calculates a compact "
                  "fingerprint of each image, designed to stay the same even if the picture is "
                  "resized or slightly edited, and compares it with a list of fingerprints of "
                  "verified abuse imagery. If there is no match, nothing happens. If there is a "
                  "match, or several, the system may alert the provider, which would review the "
                  "case and report it to the authorities."),
            ("p", "Advocates point out that the process never reveals the content of lawful "
                  "messages and is aimed only at material that is illegal everywhere. Some child "
                  "protection groups argue that refusing to deploy it amounts to choosing not to "
                  "look for abuse that is known to be circulating on encrypted services. "
              "They also note that hash matching has been used on unencrypted services for more than a decade without the abuses that critics predict."),
            ("h2", "The objections"),
            ("p", "Cryptographers and security engineers have lined up against the idea. Their "
                  "central objection is about trust. Users cannot see the list their phone is "
                  "checking against, so they have no way of knowing whether it contains only abuse "
                  "material or, in future, political images or leaked documents. Once the scanning "
                  "machinery exists on every device, they argue, the pressure to widen its use "
                  "will be hard to resist."),
            ("p", "There are technical worries too. Researchers have shown that perceptual hashes "
                  "can be tricked, either by altering an abuse image just enough to avoid a match "
                  "or by crafting an innocent-looking image that triggers one. And hash matching "
                  "only works for material that has already been identified, so it offers no "
                  "protection against newly created images or live grooming conversations."),
            ("h2", "Is there a middle ground?"),
            ("p", "Some researchers argue that the debate has become too focused on message content. "
                  "Platforms still have access to a great deal of information in encrypted "
                  "services, from account behaviour to user reports and unencrypted profile "
                  "images, and could do more with it. Others point to on-device safety warnings "
                  "that blur explicit images for children without sending anything to the "
                  "company."),
            ("p", "What almost everyone agrees on is that the current stalemate serves nobody well. "
                  "Children deserve protection from abuse, and everyone, including children, "
                  "deserves secure communications. Until lawmakers, companies and the security "
                  "community find a way to talk about both at once, the fight over client-side "
                  "scanning is likely to keep returning in new forms. "
              "For now, neither side appears willing to move."),
        ],
    },
]


def slug(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def make_html(a: dict) -> str:
    current = ' aria-current="page"'
    nav = "\n".join(
        f'        <li><a href="/{slug(n)}/"{current if n == a["section"] else ""}>{esc(n)}</a></li>'
        for n in a["nav"]
    )
    body = []
    for kind, text in a["body"]:
        tag = "h2" if kind == "h2" else "p"
        body.append(f"        <{tag}>{esc(text)}</{tag}>")
    related = "\n".join(f'        <li><a href="{href}">{esc(t)}</a></li>' for href, t in a["related"])
    return HTML_TEMPLATE.format(
        title=esc(a["title"]),
        site=esc(a["site"]),
        description=esc(a["description"]),
        author=esc(a["author"]),
        author_slug=slug(a["author"]),
        url=a["url"],
        published=a["published"],
        published_human=a["published_human"],
        section=esc(a["section"]),
        section_slug=slug(a["section"]),
        read_time=a["read_time"],
        tags=esc(a["tags"]),
        nav=nav,
        body="\n".join(body),
        related=related,
        year=a["published"][:4],
    )


# ---------------------------------------------------------------------------
# Markdown note and README
# ---------------------------------------------------------------------------

NOTES_MD = """# Notes on prevention: what the evidence suggests

*Working note, evidex sample corpus. Fictional; written by the project.*

Most of the money and attention in online child safety still goes to
responding after harm has happened: detecting images, removing them and
investigating offenders. That work is essential, but it cannot on its own
reduce the number of children who are harmed. The reports collected in this
corpus keep returning to the same conclusion: prevention has to be treated as
a priority in its own right, in the way public health campaigns once tackled
smoking and road deaths.

## Four areas worth tracking

1. **Safety by design.** Private-by-default accounts for young users, limits on
   contact from unknown adults, nudity warnings on devices and risk
   assessments before new features launch.
2. **Regulation.** Clear duties on companies to assess and reduce risks to
   children, and laws that treat AI-generated sexual imagery of children as
   seriously as any other abuse material.
3. **Support services.** Helplines and chat services that answer quickly,
   especially in the evening, and takedown tools that let young people block
   an image without sharing it.
4. **Awareness and education.** Repeated, practical lessons for children and
   parents, including specific teaching about sextortion scripts aimed at
   teenage boys, delivered without blaming victims.

## Open questions

- How should the effect of prevention programmes be measured when the
  outcome is harm that never happens?
- Which safety signals remain useful on end-to-end encrypted services, and
  how can companies be held accountable for using them?
- How can funding be made to last long enough for programmes to mature?
"""


def make_readme(meta: dict[str, dict]) -> str:
    lines = [
        "# evidex sample corpus",
        "",
        "Everything in this folder is **fictional**. The documents, organisations, authors and",
        "websites were invented and written by the evidex project for testing; none of the text",
        "is copied from elsewhere. Where real public statistics are mentioned (for example figures",
        "from the WeProtect Global Alliance's Global Threat Assessments), they are restated in the",
        "project's own words and attributed to their source.",
        "",
        "The files are generated by `scripts/make_corpus.py` (run `python scripts/make_corpus.py`",
        "from the repository root; needs `fpdf2` and `pypdf`). Output is deterministic. Do not edit",
        "the files by hand: change the script and regenerate.",
        "",
        "Themes covered: AI-generated abuse imagery, end-to-end encryption, sextortion, prevention.",
        "",
        "## PDFs",
        "",
    ]
    for name, m in meta.items():
        lines += [f"### `{name}`", ""]
        lines += [f"- Title (info dict): {m['title'] if m['title'] else '*(none - must be inferred from page 1)*'}"]
        if m.get("visible_title"):
            lines += [f"- Title printed on first page: {m['visible_title']}"]
        lines += [
            f"- Author: {m['author']}",
            f"- CreationDate: {m['created']}",
            f"- Physical pages: {m['pages']}",
            f"- Page labels (physical order): {', '.join(m['labels'])}"
            + (" (from /PageLabels)" if m["has_labels"] else " (no /PageLabels; default numbering)"),
            f"- Layout: {m['layout']}",
            "- Distinctive words (each occurs on exactly one page):",
        ]
        for label, words in m["distinctive"].items():
            phys = m["labels"].index(label)
            for w in words:
                lines.append(f"  - `{w}`: printed page {label} (physical page index {phys}, 0-based)")
        for extra in m.get("notes", []):
            lines.append(f"- {extra}")
        lines.append("")
    lines += ["## HTML articles", ""]
    for a in HTML_ARTICLES:
        lines += [
            f"### `{a['file']}`",
            "",
            f"- Title: {a['title']}",
            f"- Site (og:site_name): {a['site']}",
            f"- Author: {a['author']}",
            f"- Published (article:published_time): {a['published']}",
            f"- Canonical URL: {a['url']}",
            "",
        ]
    lines += [
        "## Other files",
        "",
        "- `notes-on-prevention.md`: a short markdown working note, heading",
        "  \"Notes on prevention: what the evidence suggests\". No date or author metadata.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------

def verify_pdf(path: Path, expected_labels: list[str], expect_title: str | None) -> dict:
    r = PdfReader(str(path))
    labels = list(r.page_labels)
    assert labels == expected_labels, (path.name, labels, expected_labels)
    md = r.metadata or {}
    if expect_title is None:
        assert "/Title" not in md, f"{path.name} should have no /Title"
    else:
        assert md.get("/Title") == expect_title, (path.name, md.get("/Title"))
    assert md.get("/Author"), f"{path.name} has no /Author"
    texts = [p.extract_text() or "" for p in r.pages]
    for i, t in enumerate(texts):
        assert len(t.split()) > 20, f"{path.name} page {i} has too little text"
        # glued words would show up as very long alphabetic runs
        long_tokens = [w for w in re.findall(r"[A-Za-z]+", t) if len(w) > 22]
        assert not long_tokens, (path.name, i, long_tokens)
        assert "\u00ad" not in t, (path.name, i, "soft hyphen leaked into text")
    for label, words in DISTINCTIVE[path.name].items():
        idx = labels.index(label)
        for w in words:
            pages = [i for i, t in enumerate(texts) if w.lower() in t.lower()]
            assert pages == [idx], (path.name, w, "expected only on", idx, "found on", pages)
    size = path.stat().st_size
    assert size < 200_000, (path.name, size)
    return {"labels": labels, "metadata": dict(md), "texts": texts, "size": size}


def main() -> int:
    OUT.mkdir(exist_ok=True)

    ta = OUT / "threat-assessment-2025.pdf"
    eb = OUT / "encryption-briefing-2024.pdf"
    ar = OUT / "prevention-annual-review-2023.pdf"
    make_threat_assessment(ta)
    make_briefing(eb)
    make_annual_review(ar)

    ta_labels = ["i", "ii", "iii"] + [str(n) for n in range(1, len(TA_BODY) + 1)]
    v_ta = verify_pdf(ta, ta_labels, TA_TITLE)
    v_eb = verify_pdf(eb, [str(n) for n in range(1, len(EB_PAGES) + 1)], EB_TITLE)
    v_ar = verify_pdf(ar, [str(n) for n in range(1, len(AR_PAGES) + 1)], None)

    # the split paragraph: page "2" must end mid-sentence and page "3" continue it
    p2 = v_ta["texts"][ta_labels.index("2")]
    p3 = v_ta["texts"][ta_labels.index("3")]
    assert "pass straight through hash-based filters unless" in " ".join(p2.split())
    assert " ".join(p3.split()).startswith(f"{TA_AUTHOR} | {TA_TITLE} a human moderator") or \
        "a human moderator or an automated classifier" in p3

    for a in HTML_ARTICLES:
        (OUT / a["file"]).write_text(make_html(a), encoding="utf-8")
    (OUT / "notes-on-prevention.md").write_text(NOTES_MD, encoding="utf-8")

    meta = {
        ta.name: {
            "title": TA_TITLE, "author": TA_AUTHOR, "created": "2025-03-14T09:00:00Z",
            "pages": len(ta_labels), "labels": ta_labels, "has_labels": True,
            "layout": "single column, justified; running header on every page except the cover; "
                      "printed page label centred in the footer (not printed on the cover)",
            "distinctive": DISTINCTIVE[ta.name],
            "notes": [
                "Front matter: cover (i), contents (ii), foreword (iii); body starts at physical "
                "page index 3 with label 1.",
                "A paragraph runs across a page break: it ends on printed page 2 with "
                "\"...pass straight through hash-based filters unless\" and continues at the top of "
                "printed page 3 with \"a human moderator or an automated classifier flags them for "
                "review.\"",
            ],
        },
        eb.name: {
            "title": EB_TITLE, "author": EB_AUTHOR, "created": "2024-06-12T10:30:00Z",
            "pages": len(EB_PAGES), "labels": v_eb["labels"], "has_labels": False,
            "layout": "two columns (fpdf2 text_columns), full-width title block on page 1; "
                      "running header; page number centred in footer",
            "distinctive": DISTINCTIVE[eb.name],
        },
        ar.name: {
            "title": None, "visible_title": "Annual Review 2023", "author": AR_AUTHOR,
            "created": "2023-12-04T14:00:00Z",
            "pages": len(AR_PAGES), "labels": v_ar["labels"], "has_labels": False,
            "layout": "single column, justified, soft hyphens allow words to hyphenate at line "
                      f"ends; running header \"{AR_HEADER}\" and footer \"Page N\" + "
                      f"\"{AR_FOOTER}\" on every page",
            "distinctive": DISTINCTIVE[ar.name],
            "notes": ["Subtitle on page 1: \"Preventing harm, supporting young people and "
                      "responding to sextortion\".",
                      "Words hyphenated at a line end in pypdf's extract_text() (soft hyphen "
                      "rendered as '-' followed by a newline): " + ", ".join(
                          f"`{a}-` + `{b}` (page {i + 1})"
                          for i, t in enumerate(v_ar["texts"])
                          for a, b in re.findall(r"(\w+)-\n(\w+)", t)),
                      "The running header's middle dot (U+00B7) is the only non-ASCII "
                      "character in any of the PDFs."],
        },
    }
    (ROOT / "docs" / "corpus.md").write_text(make_readme(meta), encoding="utf-8")

    for v, p in ((v_ta, ta), (v_eb, eb), (v_ar, ar)):
        print(f"{p.name}: {v['size']} bytes, labels={v['labels']}")
    print("corpus written to", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
