"""The course's colours: the Okabe-Ito palette, which stays distinct under the common forms of colour blindness.

Okabe, M. and Ito, K. (2008), "Color Universal Design": https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

#: Eight colours in Okabe and Ito's order; black last, for text and outlines.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)

#: What a decision or a state means, always in the same colour across the course.
ALLOWED = "#009E73"
DENIED = "#D55E00"
NEUTRAL = "#56B4E9"
HIGHLIGHT = "#E69F00"
MUTED = "#BBBBBB"
