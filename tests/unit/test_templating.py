"""Template lookup: site templates > theme templates > built-in ones; autoescape everywhere."""

from __future__ import annotations

import re

import pytest

from generator.errors import ContentError
from generator.pipeline import BuildOptions, render_site


def test_site_template_overrides_and_can_extend_the_builtin(make_site):
    root = make_site({"templates/404.html": "{% extends 'builtin/404.html' %}{% block title %}Lost in space{% endblock %}"})
    files = render_site(BuildOptions(root)).files
    page = files["404.html"].decode()
    assert "<title>Lost in space</title>" in page and "Page not found" in page


def test_theme_templates_and_assets_beat_builtin_ones(make_site):
    root = make_site(
        {
            "site.yaml": "theme: plain\n",
            "themes/plain/templates/years.html": "{% extends 'base.html' %}{% block content %}PLAIN YEARS{% endblock %}",
            "themes/plain/static/assets/style.css": "body { color: teal }",
        }
    )
    rendered = render_site(BuildOptions(root))
    assert "PLAIN YEARS" in rendered.files["years/index.html"].decode()
    assert rendered.copies["assets/style.css"].read_text() == "body { color: teal }"
    assert "Categories" in rendered.files["categories/index.html"].decode()  # falls back to built-in


def test_site_template_beats_theme_template(make_site):
    root = make_site(
        {
            "site.yaml": "theme: plain\n",
            "themes/plain/templates/years.html": "THEME",
            "themes/plain/static/x.txt": "x",
            "templates/years.html": "SITE",
        }
    )
    assert render_site(BuildOptions(root)).files["years/index.html"] == b"SITE"


def test_autoescape_applies_to_site_templates(make_site):
    root = make_site({"site.yaml": "extra: {motto: '<b>bold</b>'}\n", "templates/years.html": "{{ config.extra.motto }}"})
    assert render_site(BuildOptions(root)).files["years/index.html"] == b"&lt;b&gt;bold&lt;/b&gt;"


def test_unknown_theme_is_a_content_error(make_site):
    import pytest

    from generator.errors import ContentError

    root = make_site({"site.yaml": "title: T\ntheme: nope\n"})
    with pytest.raises(ContentError) as caught:
        render_site(BuildOptions(root))
    assert str(caught.value.problems[0]).startswith("site.yaml:2: theme: unknown theme 'nope'")


def test_template_error_is_reported_not_raised(make_site):
    import pytest

    from generator.errors import ContentError

    root = make_site({"templates/years.html": "{% if %}"})
    with pytest.raises(ContentError) as caught:
        render_site(BuildOptions(root))
    assert caught.value.problems[0].field == "template"


def test_each_layer_can_extend_the_one_below(make_site):
    root = make_site(
        {
            "site.yaml": "theme: plain\n",
            "themes/plain/templates/404.html": "{% extends 'builtin/404.html' %}{% block title %}THEME-TITLE{% endblock %}",
            "templates/404.html": "{% extends 'theme/404.html' %}{% block title %}SITE+{{ super() }}{% endblock %}",
        }
    )
    page = render_site(BuildOptions(root)).files["404.html"].decode()
    assert "<title>SITE+THEME-TITLE</title>" in page and "Page not found" in page


def test_autoescape_in_every_template_whatever_its_extension(make_site):
    root = make_site(
        {
            "site.yaml": "theme: plain\nextra: {motto: '<i>x</i> & y'}\n",
            "themes/plain/templates/years.html": "{% include 'motto.xml' %}",
            "themes/plain/templates/motto.xml": "{{ config.extra.motto }}|{{ profile.name }}",
            "content/profile.md": "---\nname: '<b>Ada</b>'\n---\n",
        }
    )
    assert render_site(BuildOptions(root)).files["years/index.html"] == b"&lt;i&gt;x&lt;/i&gt; &amp; y|&lt;b&gt;Ada&lt;/b&gt;"


def test_site_static_files_beat_theme_static_files(make_site):
    root = make_site(
        {
            "site.yaml": "theme: plain\n",
            "themes/plain/static/assets/style.css": "theme",
            "themes/plain/static/only-theme.txt": "t",
            "static/assets/style.css": "site",
        }
    )
    copies = render_site(BuildOptions(root)).copies
    assert copies["assets/style.css"].read_text() == "site" and copies["only-theme.txt"].read_text() == "t"


def test_a_template_error_names_the_template_file_and_line(make_site):
    root = make_site(
        {"templates/years.html": "{% extends 'builtin/years.html' %}\n{% block content %}\nfine\n{{ nope.x }}\n{% endblock %}\n"}
    )
    with pytest.raises(ContentError) as caught:
        render_site(BuildOptions(root))
    assert [str(p) for p in caught.value.problems] == ["templates/years.html:4: template: 'nope' is undefined"]


def test_a_template_syntax_error_names_the_template_file_and_line(make_site):
    root = make_site(
        {
            "templates/partials/extra.html": "ok\n{% if %}\n",
            "templates/years.html": "{% extends 'builtin/years.html' %}{% block content %}{% include 'partials/extra.html' %}{% endblock %}",
        }
    )
    with pytest.raises(ContentError) as caught:
        render_site(BuildOptions(root))
    ((problem,),) = [caught.value.problems]
    assert (problem.path, problem.line, problem.field) == ("templates/partials/extra.html", 2, "template")


def test_a_theme_of_one_stylesheet_gets_the_default_themes_script_and_icon(make_site):
    """base.html links site.js and favicon.svg: a theme that ships only its stylesheet still has them."""
    root = make_site({"site.yaml": "theme: plain\n", "themes/plain/static/assets/style.css": "body { color: teal }"})
    copies = render_site(BuildOptions(root)).copies
    assert copies["assets/style.css"].read_text() == "body { color: teal }"
    assert copies["assets/site.js"].parent.parent.parent.name == "default"
    assert {"assets/site.js", "assets/favicon.svg"} <= set(copies)


def test_the_classic_theme_shares_the_layout_and_adds_its_stylesheet(make_site):
    classic = render_site(BuildOptions(make_site({"site.yaml": "theme: classic\n"})))
    default = render_site(BuildOptions(make_site({"site.yaml": "theme: default\n"})))
    for page in ("index.html", "cv/index.html", "search/index.html", "404.html"):
        html = classic.files[page].decode().replace("../", "")
        assert html.index("assets/style.css") < html.index("assets/classic.css") < html.index("</head>"), page
        # otherwise the same page: only the stylesheet link differs
        assert re.sub(r'<link rel="stylesheet" href="[^"]*classic.css">\n', "", html) == default.files[page].decode().replace("../", "")
    assert {"assets/style.css", "assets/site.js", "assets/favicon.svg", "assets/classic.css"} <= set(classic.copies)
    assert "font-family" in classic.copies["assets/classic.css"].read_text()


@pytest.mark.parametrize("theme", ["default", "classic"])
@pytest.mark.parametrize("block", ["header", "nav", "footer"])
def test_a_site_replaces_one_block_of_the_layout_without_copying_it(make_site, theme, block):
    """templates/base.html extending theme/base.html: one block changes on every page, the rest
    of the layout (and the theme's own additions, such as classic's stylesheet) stays."""
    root = make_site(
        {
            "site.yaml": f"theme: {theme}\n",
            "templates/base.html": f"{{% extends 'theme/base.html' %}}{{% block {block} %}}<p class=mine>MINE {{{{ profile.name }}}}</p>{{% endblock %}}",
        }
    )
    files = render_site(BuildOptions(root)).files
    for page in ("index.html", "years/index.html", "cv/index.html", "404.html"):
        html = files[page].decode()
        assert "<p class=mine>MINE Ada Lovelace</p>" in html, page
        assert ('class="site-footer"' in html) == (block != "footer"), page
        assert ('class="site-nav"' in html) == (block not in ("header", "nav")), page
        assert ('class="theme-switch"' in html) == (block != "header"), page  # the switch sits in the header, beside the nav
        assert '<main id="main" class="content">' in html and 'class="skip-link"' in html, page
        assert ("assets/classic.css" in html) == (theme == "classic"), page
