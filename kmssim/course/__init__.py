"""The course's checks and pictures: what the training notebooks call to tell a learner, in plain words, whether an
exercise is right and, when it is not, what to look at.

Each numbered notebook's checks live in a submodule named after its topic; the palette every picture uses is in
``kmssim.course.style``.
"""
