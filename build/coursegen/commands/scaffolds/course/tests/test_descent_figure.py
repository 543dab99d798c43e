"""The example animation drawn as the build draws it, from the course's own experiment
run on small parameters: a player's files, one distinct label per frame, the same
bytes twice. Change the experiment or the figure and this still says whether they fit."""

import json

from course.experiments.descent import Descent, descent
from course.figures.descent import descent_animation
from coursegen.figures import style
from coursegen.stages import outputs

RESULTS = descent(Descent(steps=4))


def test_it_draws_a_player_with_a_label_per_step():
    files = style.draw(descent_animation, RESULTS)
    assert outputs.problem("figures", files) is None
    labels = json.loads(files["figure.json"])["labels"]
    assert len(labels) == len(set(labels)) == len(RESULTS["theta"])


def test_it_draws_the_same_bytes_twice():
    assert style.draw(descent_animation, RESULTS) == style.draw(descent_animation, RESULTS)
