"""The audit's terminal side, built on prompt_toolkit: one small application per entry.

Each entry's screen is drawn below the cursor (not full screen) and erased
when the user answers, so a revealed secret does not stay in the terminal's
scrollback. Only the one-line record of each answer, which never contains
the secret, remains.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from prompt_toolkit.application import Application
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input import create_input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.output import ColorDepth, create_output
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import Style
from staged_secrets.baseline.audit_view import (
    HELP,
    REVEAL,
    STYLE_RULES,
    Card,
    Fragments,
    render,
)

COLOR_CHOICES = ("auto", "always", "never")


def color_depth(choice: str, environment: Mapping[str, str]) -> ColorDepth:
    """Decide colour once: the option wins, then NO_COLOR and a dumb TERM turn it off.

    Monochrome still uses bold and reverse video, so the secret stays marked.
    The styles use only the 16 ANSI colours, so 4-bit depth shows them exactly.
    """
    if choice == "never":
        return ColorDepth.DEPTH_1_BIT
    if choice == "always":
        return ColorDepth.DEPTH_4_BIT
    if environment.get("NO_COLOR") or environment.get("TERM") == "dumb":
        return ColorDepth.DEPTH_1_BIT
    return ColorDepth.DEPTH_4_BIT


class Screen:
    """Draws audit cards on the terminal and reads single-key answers."""

    def __init__(self, color: str) -> None:
        self._output = create_output(stdout=sys.stdout)
        self._input = create_input(sys.stdin)
        self._color_depth = color_depth(color, os.environ)
        self._style = Style.from_dict(STYLE_RULES)

    def say(self, fragments: Fragments) -> None:
        """Print a line that stays on the terminal; it must not contain a secret."""
        print_formatted_text(
            FormattedText(fragments),
            style=self._style,
            output=self._output,
            color_depth=self._color_depth,
            include_default_pygments_style=False,
        )

    def ask(self, card: Card) -> str:
        """Show CARD until the user presses an answer key, and return that key.

        The reveal and help keys only change the card. Ctrl-C raises
        KeyboardInterrupt; end of input (Ctrl-D) counts as quit.
        """
        answers = {key.key for key in card.keys} - {REVEAL.key, HELP.key}
        bindings = KeyBindings()

        def answer(event: KeyPressEvent) -> None:
            event.app.exit(result=event.key_sequence[0].key.lower())

        # Upper-case letters count too, so that Caps Lock does not block answers.
        for key in sorted(answers | {key.upper() for key in answers}):
            bindings.add(key)(answer)

        @bindings.add(REVEAL.key)
        def _reveal(event: KeyPressEvent) -> None:
            if REVEAL in card.keys:
                card.revealed = not card.revealed
                card.message = ""
                # Erasing makes the next drawing complete, so the terminal
                # (and a test reading it) gets the secret in one piece
                # instead of only the characters that differ from the mask.
                event.app.renderer.erase()

        @bindings.add(HELP.key)
        def _help(event: KeyPressEvent) -> None:
            card.show_help = not card.show_help
            card.message = ""

        @bindings.add("c-c")
        @bindings.add(Keys.SIGINT)
        def _interrupt(event: KeyPressEvent) -> None:
            event.app.exit(exception=KeyboardInterrupt())

        @bindings.add("c-d")
        def _end_of_input(event: KeyPressEvent) -> None:
            event.app.exit(result="q")

        @bindings.add(Keys.Any)
        def _other(event: KeyPressEvent) -> None:
            card.message = "Press one of the keys above, or ? for help."

        application: Application[str] = Application(
            layout=Layout(HSplit([Window(self._control(card), dont_extend_height=True)])),
            key_bindings=bindings,
            style=self._style,
            include_default_pygments_style=False,
            color_depth=self._color_depth,
            erase_when_done=True,
            full_screen=False,
            input=self._input,
            output=self._output,
        )
        return application.run()

    def _control(self, card: Card) -> FormattedTextControl:
        def fragments() -> FormattedText:
            return FormattedText(render(card, self._output.get_size().columns))

        return FormattedTextControl(fragments, show_cursor=False)
