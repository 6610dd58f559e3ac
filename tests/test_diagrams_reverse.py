"""``pull`` gives drawn diagrams and formulas back as their source (the wiki is untrusted: the
source only ever becomes fence content or math)."""

from __future__ import annotations

from confluence_sync.reverse.document import storage_to_markdown

NAME = "0123456789abcdef0123"


def _pulled(storage: str) -> str:
    return storage_to_markdown(storage).markdown


def test_a_drawn_diagram_comes_back_as_its_fence() -> None:
    storage = (
        f'<p><ac:image ac:alt="Mermaid diagram" ac:title="graph TD&#10;  A --&gt; B">'
        f'<ri:attachment ri:filename="mermaid-{NAME}.png"/></ac:image></p>'
    )
    assert _pulled(storage).strip() == "```mermaid\ngraph TD\n  A --> B\n```"


def test_a_title_holding_a_fence_cannot_close_it() -> None:
    storage = (
        f'<p><ac:image ac:title="@startuml&#10;```&#10;# injected&#10;@enduml">'
        f'<ri:attachment ri:filename="plantuml-{NAME}.png"/></ac:image></p>'
    )
    assert _pulled(storage).strip() == "````plantuml\n@startuml\n```\n# injected\n@enduml\n````"


def test_an_image_that_is_not_a_drawn_diagram_stays_an_image() -> None:
    storage = (
        '<p><ac:image ac:title="graph TD"><ri:attachment ri:filename="mermaid.png"/></ac:image></p>'
    )
    assert "```" not in _pulled(storage)


def test_a_drawn_formula_comes_back_in_dollars_and_unsafe_alt_stays_an_image() -> None:
    storage = (
        f'<p>Rate <ac:image ac:alt="e^{{-x^2}}"><ri:attachment ri:filename="math-{NAME}.png"/>'
        f'</ac:image> and <ac:image ac:alt="a$b"><ri:attachment ri:filename="math-{NAME}.png"/>'
        "</ac:image></p>"
    )
    pulled = _pulled(storage)
    assert "Rate $e^{-x^2}$ and ![a$b](" in pulled
