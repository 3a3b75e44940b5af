"""Title selection for web pages (evidex.extract.html.headline), one hand-written page per rule."""

from __future__ import annotations

from bs4 import BeautifulSoup

from evidex.extract.html import headline


def title_of(body: str, head: str = "", trafilatura_title: str | None = None, site_name: str | None = None) -> str | None:
    soup = BeautifulSoup(f"<html><head>{head}</head><body>{body}</body></html>", "lxml")
    return headline(soup, trafilatura_title, site_name, "example.org")


def test_kicker_marked_by_class_is_left_out():
    head = '<meta property="og:title" content="Harbour works: Ferry pier closes for the winter">'
    body = (
        '<h1><span class="article__kicker">Harbour works</span><span class="sr-only">: </span>'
        '<span class="article__title">Ferry pier closes for the winter</span></h1>'
    )
    assert title_of(body, head) == "Ferry pier closes for the winter"


def test_roofline_before_the_headline_text_is_left_out():
    head = "<title>Allotments get new water taps - Town Gazette</title>"
    body = '<h1 class="entry-title"><span class="roofline">Gardening</span> Allotments get new water taps</h1>'
    assert title_of(body, head) == "Allotments get new water taps"


def test_heading_backed_by_more_declared_titles_wins():
    # og:title says one thing; <title> and JSON-LD agree on the h1's wording.
    head = (
        '<meta property="og:title" content="Short social headline">'
        "<title>Council approves the new cycle lanes on Mill Road | Town Gazette</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Council approves the new cycle lanes on Mill Road"}</script>'
    )
    body = "<h1>Council approves the new cycle lanes on Mill Road</h1><h2>Short social headline</h2>"
    assert title_of(body, head) == "Council approves the new cycle lanes on Mill Road"


def test_inline_markup_does_not_add_spaces():
    head = '<meta property="og:title" content="Volunteers in the THW: past, present and future">'
    body = '<h1>Volunteers in the <abbr title="Technical Relief">THW</abbr>: past, present and future</h1>'
    assert title_of(body, head) == "Volunteers in the THW: past, present and future"


def test_declared_spacing_replaces_spacing_made_by_markup():
    head = '<meta property="og:title" content="Music streaming: Artists ask for a new payment model">'
    body = (
        '<h2 class="headline">\n<span class="emphasis">Music streaming</span>\n'
        '<span class="o-VisuallyHidden">: </span>\n</span>\n<span>Artists ask for a new payment model</span>\n</h2>'
    )
    assert title_of(body, head) == "Music streaming: Artists ask for a new payment model"


def test_heading_for_screen_readers_only_is_skipped():
    head = '<meta property="og:title" content="First electron decides the reaction"><title>News - Lab Institute</title>'
    body = '<h1 class="pagetitle hidden">News</h1><h1>First electron decides the reaction</h1>'
    assert title_of(body, head) == "First electron decides the reaction"


def test_heading_linking_to_the_front_page_is_the_site_name():
    head = "<title>Everything has its time | Marketplace for a good life</title>"
    body = (
        '<h1><a href="http://blog.example.org/">Marketplace for a good life</a></h1>'
        '<h1 class="entry-title">Everything has its time</h1>'
    )
    assert title_of(body, head) == "Everything has its time"


def test_pipe_without_spaces_separates_the_site_name():
    head = '<meta property="og:title" content="EASY NEWS|School trip to the coast cancelled">'
    head += '<meta property="og:site_name" content="EASY NEWS">'
    assert title_of("<p>text</p>", head) == "School trip to the coast cancelled"


def test_guessed_site_name_equal_to_the_headline_is_not_the_site():
    # trafilatura may guess the headline itself as the site name when the page names none.
    head = "<title>Minutes of the board meeting of 10 October | Talent Club</title>"
    body = '<h1 class="entry-title">Minutes of the board meeting of 10 October</h1>'
    got = title_of(body, head, site_name="Minutes of the board meeting of 10 October")
    assert got == "Minutes of the board meeting of 10 October"


def test_only_h1_names_a_page_with_nothing_but_a_title_tag():
    head = "<title>Trips around the Lower Rhine and the Ruhr</title>"
    body = "<h1>Essen-Westviertel</h1><h2>Overview</h2>"
    assert title_of(body, head) == "Essen-Westviertel"


def test_leading_element_without_a_class_is_a_kicker_when_the_rest_agrees():
    head = "<title>Vaccination remains possible everywhere until the end of February</title>"
    head += '<meta property="og:title" content="Press releases">'
    body = (
        "<h1><span>Press release of the health department</span>"
        ":Vaccination remains possible everywhere until the end of February</h1>"
    )
    assert title_of(body, head) == "Vaccination remains possible everywhere until the end of February"


def test_line_of_a_heading_split_by_br():
    head = '<meta property="og:title" content="Spectators return to the club halls">'
    body = '<h1>Spectators return to the club halls<br/><span class="meta">02.02.2022 • Press</span></h1>'
    assert title_of(body, head) == "Spectators return to the club halls"


def test_nested_json_ld_headlines_are_not_declared_titles():
    # A related article listed inside the page's JSON-LD must not back a teaser heading.
    head = (
        "<title>Drinks go by boat to the city centre - Grocer Weekly</title>"
        '<script type="application/ld+json">{"@type": "WebPage", "hasPart": '
        '[{"@type": "Article", "headline": "Salaries of managing directors compared"}]}</script>'
    )
    body = "<h1>Drinks go by boat to the city centre</h1><h2>Salaries of managing directors compared</h2>"
    assert title_of(body, head) == "Drinks go by boat to the city centre"
