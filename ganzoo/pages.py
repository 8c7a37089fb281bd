"""Static HTML pages of images and tables, for people to open in a browser.

A page is one self-contained `index.html` beside the images it shows, which it links
by relative paths: the folder can be copied or served as it is.

    write_page(out / "index.html", "dcgan_mnist5k", [("Samples", figure(png, out))])
"""

import html
import os
import pathlib
import urllib.parse

from ganzoo.files import written_whole

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 0.25em 0.75em; text-align: left; }
tr:nth-child(even) { background: #f4f4f4; } th { border-bottom: 1px solid #999; }
figure { display: inline-block; margin: 0 1em 1em 0; vertical-align: top; }
figcaption { font-size: 0.85em; color: #555; }
img { image-rendering: pixelated; max-width: 100%; }
pre { background: #f4f4f4; padding: 1em; overflow-x: auto; }
"""


def figure(image, page_folder, caption="", width=None):
    """An `<img>` of the file `image`, linked relative to `page_folder`, with a caption.

    Args:
        width: the displayed width in CSS pixels. Defaults to None (the file's own).
    """
    source = os.path.relpath(pathlib.Path(image).resolve(), pathlib.Path(page_folder).resolve())
    src = urllib.parse.quote(pathlib.Path(source).as_posix())
    size = f' width="{int(width)}"' if width else ""
    text = html.escape(str(caption))
    return (
        f'<figure><img src="{src}" alt="{text}" loading="lazy"{size}>'
        f"<figcaption>{text}</figcaption></figure>"
    )


def table(header, rows):
    """A table: `header` a sequence of column names, `rows` of cells (floats shown
    with 4 significant digits, None as empty); cells are escaped, except those given
    as `Markup` (HTML such as a `figure`)."""

    def cell(value, tag):
        if isinstance(value, Markup):
            return f"<{tag}>{value}</{tag}>"
        shown = "" if value is None else f"{value:.4g}" if isinstance(value, float) else value
        return f"<{tag}>{html.escape(str(shown))}</{tag}>"

    lines = ["<table>", "<tr>" + "".join(cell(h, "th") for h in header) + "</tr>"]
    lines += ["<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows]
    return "\n".join([*lines, "</table>"])


class Markup(str):
    """HTML that `table` puts into a cell as it is (e.g. a `figure`)."""


def paragraph(text):
    return f"<p>{html.escape(str(text))}</p>"


def preformatted(text):
    return f"<pre>{html.escape(str(text))}</pre>"


def write_page(path, title, sections):
    """Writes a page (atomically) and returns its path.

    Args:
        path: the `.html` file; the images its sections link must be linked relative
            to its folder (`figure(image, path.parent)`).
        title: the page's title and heading.
        sections: `(heading, body)` pairs; body is HTML (from `figure`, `table`,
            `paragraph`, `preformatted`, or several joined).
    """
    path = pathlib.Path(path)
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, content in sections:
        body += [f"<h2>{html.escape(heading)}</h2>", content]
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            *body,
            "</body></html>",
            "",
        ]
    )
    with written_whole(path) as staging:
        staging.write_text(page, encoding="utf-8")
    return path
