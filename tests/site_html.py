"""Reading a built page's HTML, shared by the tests of the worksheet and its sections."""

import re


def figure_block(page: str, name: str) -> str:
    """The inside of the ``<figure>`` that places figure ``name`` (it must be there)."""
    block = re.search(rf'<figure class="cg-figure" id="fig-{name}"[^>]*>(.*?)</figure>', page, re.S)
    assert block, f"figure {name} is not on the page"
    return block.group(1)
