"""Mutants of the money paths that no input can tell from the original, each with the reason.

Keyed by (module, function, the lines the mutant changes as ``mutmut show`` prints them, each
stripped, ``-old +new``), so a renumbered mutant still matches; a changed line no longer does,
and its mutant is then counted as a survivor until someone looks at it again.
"""

from __future__ import annotations

_NO_PROVIDER = (
    "in the pinned genai-prices data every Anthropic model has one price, provider id or not"
)
_AT_UNUSED = "summed counts are priced at base rates: `at` matters only for single requests"
_SUM_START = "five Decimal terms: a sum started at int 0 is the same Decimal"
_FIVE = "counts and rates always hold five items each"
_SUM = "return sum((n * rate for n, rate in zip(counts, rates, strict=True)), Decimal(0)) / MILLION"
_ZIP = "return sum((n * rate for n, rate in zip(counts, rates, {})), Decimal(0)) / MILLION"
_TARGETS = "for key in sorted(tallies, key=lambda k: _ORDER.get(k[1], {})):"
_ITEM_MODEL = "return line_item.{}.strip().lower()"
_FIRST_PIECE = 'split(",", 1)[0]'
_NO_LABEL = "the Codex parser never reads its file label"
_TRUTH = "only tested for truth"
_SAME_FOR_ALL = "the same for every Codex line: the ledger groups and ranks them alike"
_ENDS = "index 0 of an absolute path is its root, index -1 its file name"
_DONE_VALUE = '"done"'
_DONE = f'self.state["replay"] = {_DONE_VALUE}'
_DELTA = "a, b, c, d, e, f = (max(now - then, 0) for now, then in zip(total, base, strict=True))"
_PARTS_LOOP = "for index in range(len(parts) - 2, -1, -1):"
_STAMP = 'stamp = timestamp if type(timestamp) is str else ""'
_SYNTHETIC_ENTRY = (
    "return _Entry(message=_Message(usage=_NO_USAGE, model=SYNTHETIC), timestamp=stamp)"
)
_STATE_ARG = "super().__init__(file_label, state)"
_TIME_CACHE = "a cache of the last timestamp read: a miss only reads it again"
_TIME_CACHE_LOOKUP = (
    "-if entry.timestamp == self.last_time[0]: +if entry.timestamp == self.last_time[1]:"
)

# (module, function, changed lines as `mutmut show` prints them) -> why no test can tell it apart.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    **{
        ("pricing", function, f"-{name}: int = 0, +{name}: int = 1,"): why
        for function, why in (
            ("_usage", "its only caller using the defaults (a price lookup) ignores the usage"),
            ("library_usage", "no caller uses the defaults"),
        )
        for name in ("cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens")
    },
    ("pricing", "estimate_cost", f"-{_SUM} +{_SUM.replace('Decimal(0)) /', ') /')}"): _SUM_START,
    **{
        ("pricing", "estimate_cost", f"-{_SUM} +{_ZIP.format(strict)}"): _FIVE
        for strict in ("strict=None", "", "strict=False")
    },
    **{
        ("claude_records", "Tally.records", f'-"claude", +{spelling},'): _NO_PROVIDER
        for spelling in ("None", '"XXclaudeXX"', '"CLAUDE"')
    },
    ("claude_records", "Tally.records", "-at=start, +at=None,"): _AT_UNUSED,
    ("claude_records", "Tally.records", "-at=start, -) +)"): _AT_UNUSED,
    (
        "claude_records",
        "cents_to_dollars",
        '-def cents_to_dollars(amount: Decimal, currency: str = "USD") -> Decimal: '
        '+def cents_to_dollars(amount: Decimal, currency: str = "usd") -> Decimal:',
    ): "the currency is compared after .upper()",
    ("openai_records", "build_records", "-at=start, +at=None,"): _AT_UNUSED,
    ("openai_records", "build_records", "-at=start, -) +)"): _AT_UNUSED,
    (
        "openai_records",
        "build_records",
        '-kind = None +kind = ""',
    ): "a record takes `kind` only with a cost, and every branch that sets a cost sets it",
    (
        "openai_records",
        "strip_snapshot",
        '-return _SNAPSHOT.sub("", model.strip().lower()) '
        '+return _SNAPSHOT.sub("", model.strip().upper())',
    ): "both names compared go through it, and a snapshot suffix holds no letter",
    **{
        (
            "openai_records",
            "line_item_model",
            f"-{_ITEM_MODEL.format(_FIRST_PIECE)} +{_ITEM_MODEL.format(split)}",
        ): "only the text before the first comma is kept"
        for split in ('split(",", )[0]', 'split(",", 2)[0]')
    },
    **{
        (
            "openai_records",
            "_targets",
            f"-{_TARGETS.format('len(_ORDER)')} +{_TARGETS.format(d)}",
        ): "every tally's kind is one of ENDPOINTS: the default is never used"
        for d in ("None", "")
    },
    (
        "openai_records",
        "check_currency",
        "-unnamed = False +unnamed = None",
    ): "only tested for truth",
    **{
        ("codex", function, f"-{line} +{line.replace('str(path)', spelling)}"): _NO_LABEL
        for function, line in (
            ("CodexSource.make_parser", "return CodexParser(str(path), state, self.replayed)"),
            ("CodexSource.make_parser", "return CodexParser(str(path), state)"),
        )
        for spelling in ("None", "str(None)")
    },
    (
        "codex",
        "CodexParser.__init__",
        "-super().__init__(file_label, state) +super().__init__(None, state)",
    ): _NO_LABEL,
    (
        "codex",
        "CodexParser.__init__",
        "-self.replayed: frozenset[str] = frozenset() +self.replayed: frozenset[str] = None",
    ): _TRUTH,
    ("codex", "CodexParser._token_count", "-self.replayed = frozenset() +self.replayed = None"): (
        _TRUTH
    ),
    **{
        ("codex", "CodexParser._token_count", f"-{_DONE} +{_DONE.replace(_DONE_VALUE, v)}"): (
            "only a value starting with 'parent:' is read back"
        )
        for v in ("None", '"XXdoneXX"', '"DONE"')
    },
    ("codex", "CodexParser._meta", '-self.state["fork"] = False +self.state["fork"] = None'): (
        _TRUTH
    ),
    **{
        ("codex", "CodexParser._call", f"-{_DELTA} +{_DELTA.replace('strict=True', strict)}"): (
            "total and base are both six-tuples"
        )
        for strict in ("strict=None", "", "strict=False")
    },
    ("codex", "CodexParser._call", "-raise OutOfRange(max(delta)) +raise OutOfRange(None)"): (
        "the exception's value is never read"
    ),
    **{
        ("codex", "CodexParser._call", f"-{field}, +{mutated},"): _SAME_FOR_ALL
        for field, mutated in (
            ('req_key=""', 'req_key="XXXX"'),
            ("sidechain=0", "sidechain=1"),
            ("has_speed=0", "has_speed=1"),
        )
    },
    ("codex", "CodexParser._call", "-cache_write_1h_tokens=0, +cache_write_1h_tokens=1,"): (
        "OpenAI publishes no 1-hour cache-write price: both lifetimes cost the input rate"
    ),
    (
        "codex",
        "replay_signatures",
        '-with open(path, "rb", buffering=0) as handle: +with open(path, "rb", ) as handle:',
    ): "buffering changes no byte read",
    (
        "codex",
        "replay_signatures",
        "-scanner = LineScanner(handle, 0, (b'\"token_count\"',)) "
        "+scanner = LineScanner(handle, 0, None)",
    ): "without markers every line is decoded, and only token_count lines hold usage",
    (
        "codex",
        "CodexSource.__init__",
        "-self.rollouts: dict[str, Path] = {} +self.rollouts: dict[str, Path] = None",
    ): "select() always sets it before a parser is made",
    **{
        ("codex", "_split", f"-{_PARTS_LOOP} +{_PARTS_LOOP.replace(', -1, -1)', stop)}"): _ENDS
        for stop in (", +1, -1)", ", -2, -1)")
    },
    **{
        (
            "claude_code",
            "project_folder",
            f"-{_PARTS_LOOP} +{_PARTS_LOOP.replace(', -1, -1)', stop)}",
        ): (_ENDS)
        for stop in (", +1, -1)", ", -2, -1)")
    },
    ("claude_code", "project_folder", '-return "" +return "XXXX"'): (
        "every file read lies under a projects folder"
    ),
    **{
        (
            "claude_code",
            "_unusable",
            f"-{holder}.get({name!r}, 0), +{holder}.get({name!r}, 1),".replace("'", chr(34)),
        ): ("any default but None passes the null check")
        for holder, name in (
            ("entry", "cwd"),
            ("entry", "costUSD"),
            ("entry", "version"),
            ("entry", "sessionId"),
            ("entry", "requestId"),
            ("entry", "isApiErrorMessage"),
            ("message", "id"),
            ("usage", "speed"),
            ("usage", "cache_read_input_tokens"),
            ("usage", "cache_creation_input_tokens"),
        )
    },
    **{
        ("claude_code", "_unusable", f'-usage.get("{name}", 0), +usage.get({key}, 0),'): (
            "a null count is refused by the count check before this one"
        )
        for name in ("cache_read_input_tokens", "cache_creation_input_tokens")
        for key in ("None", f'"XX{name}XX"', f'"{name.upper()}"')
    },
    (
        "claude_code",
        "_lenient",
        "-if type(usage) is not dict or type(message) is not dict or type(entry) is not dict: "
        "+if type(usage) is not dict or type(message) is not dict and type(entry) is not dict:",
    ): "an entry that is no dict gives no message, so no usage dict: the first test is true",
    **{
        ("claude_code", "_lenient", f"-{_STAMP} +{mutated}"): (
            "a timestamp that is no text gives the same refusal, whatever stands in for it"
        )
        for mutated in (
            'stamp = timestamp if (type(timestamp) is str) or True else ""',
            'stamp = timestamp if type(timestamp) is str else "XXXX"',
        )
    },
    (
        "claude_code",
        "_lenient",
        f"-{_SYNTHETIC_ENTRY} +{_SYNTHETIC_ENTRY.replace('usage=_NO_USAGE', 'usage=None')}",
    ): "a <synthetic> line's usage is never read",
    **{
        ("claude_code", function, f"-{_STATE_ARG} +{_STATE_ARG.replace(', state)', ', None)')}"): (
            "the Claude Code parser keeps nothing between runs"
        )
        for function in ("ClaudeCodeParser.__init__",)
    },
    (
        "claude_code",
        "ClaudeCodeSource.make_parser",
        "-return ClaudeCodeParser(str(path), state) +return ClaudeCodeParser(str(path), None)",
    ): "the Claude Code parser keeps nothing between runs",
    **{
        ("claude_code", function, change): _TIME_CACHE
        for function, change in (
            (
                "ClaudeCodeParser.__init__",
                '-self.last_time: tuple[str, int | None] = ("", None) '
                '+self.last_time: tuple[str, int | None] = ("XXXX", None)',
            ),
            ("ClaudeCodeParser.feed", _TIME_CACHE_LOOKUP),
            ("ClaudeCodeParser._take", _TIME_CACHE_LOOKUP),
        )
    },
    (
        "openai_records",
        "_add_line_items",
        "-total = dollars + (record.cost_usd or Decimal(0)) "
        "+total = dollars - (record.cost_usd or Decimal(0))",
    ): "the record a line item joins has no model, so no cost of its own: x - 0 == x + 0",
}
