"""The course's checks and pictures: what the training notebooks call to tell a learner, in plain words, whether an
exercise is right and, when it is not, what to look at.

Each numbered notebook's checks live in a submodule named after its topic and return a ``Feedback`` (``ok``,
``message``, ``hint``; it shows as "Right: ..." or "Not yet: ... Look at: ..."): ``basics`` (00), ``keys`` (01),
``encryption`` (02), ``time`` (03), ``permissions`` (04). ``pictures`` draws the key-state diagram, a key timeline,
the trail over time, a decision's path and a bill; ``style`` holds the colour-blind-safe palette they use;
``notebook_metadata`` keeps stored notebook metadata as the kernel reports it.
"""
