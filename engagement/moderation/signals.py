"""Links, contacts and wallets found in a comment's text: what moves a reader off the page or their money.

Scams under a crypto article almost always carry one of these: a lookalike domain, a Telegram handle, a
WhatsApp number, a wallet address. Each finding is (kind, matched text, span into the text given), so a
moderator can be shown exactly what held the comment.

Pass the text after NFKC and invisible-character removal (spans refer to the text given). Deliberate
obfuscations are matched here, not normalized away: ``hxxp``, ``[.]``/``(.)``/``[dot]``, ``t . me/x``.

Decisions, documented because each is a trade-off:
- Bare domains (``claim-airdrop.xyz``) count only with a TLD from ``_TLDS`` (common generic TLDs and the
  country codes scammers use); TLDs that are also file extensions in chat (``.py``, ``.sh``, ``.md``,
  ``.rs``, ``.pl``, ``.js``) are left out, so ``config.py`` is not a link.
- A dot with spaces around it (``t . me/x``) only counts when a path follows, or the host is a messenger:
  "I told him. me too" is not a link.
- Emails are reported as a contact (kind ``email``): "write to recovery.desk@gmail.com" is how fund-recovery
  scams operate. An email's domain is not reported again as a URL.
- ``@handle`` alone is a reply to someone; it counts only next to a messenger word (telegram, tg, dm,
  whatsapp, signal, inbox, "message me"...).
- Phone numbers need 8 to 15 digits and either a leading ``+``, phone-like grouping, or a phone word
  nearby; prices (``$0.25``), percentages, multipliers (``10x``), ranges (``30000-35000``), dates
  (``2024-05-12``), decimals and thousands (``1,000,000``) are not phones.
- BTC/LTC/DOGE/TRON/XRP base58 addresses must pass their Base58Check checksum and version byte; bech32
  (``bc1``, ``ltc1``) must pass the bech32/bech32m checksum. ETH is 0x + exactly 40 hex digits (a 64-digit
  transaction hash is not an address). Solana addresses have no checksum: a base58 run that decodes to
  32 bytes counts only with a crypto word (sol, wallet, address, send, ca...) nearby.
- Tickers (``BTC/USDT``), amounts (``0.1 BTC``), ``10x`` and slang are never findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import base58
import bech32

LINK = "link"
CONTACT = "contact"
WALLET = "wallet"
INVITE = "invite"

# kind -> category; the pipeline's reasons can name either.
KINDS: dict[str, str] = {
    "url": LINK,
    "telegram": CONTACT,
    "whatsapp": CONTACT,
    "wechat": CONTACT,
    "discord": CONTACT,
    "signal": CONTACT,
    "line": CONTACT,
    "email": CONTACT,
    "phone": CONTACT,
    # An invitation to take the talk elsewhere without an address: "DM me", "reach out to her on WhatsApp",
    # "link in bio". Ordinary users say it too, so it is a weaker signal, to combine with the spam score.
    "invite": INVITE,
    "btc": WALLET,
    "ltc": WALLET,
    "doge": WALLET,
    "eth": WALLET,
    "tron": WALLET,
    "xrp": WALLET,
    "solana": WALLET,
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    text: str
    span: tuple[int, int]

    @property
    def category(self) -> str:
        return KINDS[self.kind]


# --- links -------------------------------------------------------------------------------------------

_TLDS = (
    "com net org info biz io co me app dev ai xyz top site online live pro finance club shop store link click "
    "vip tech cc ly gg to tv ws su ru cn uk us de fr es it nl eu ch se no fi pt br ar mx jp kr vn id in ph th "
    "my sg hk tw au nz ca za ng ke tr ua kz ir ae sa pk bd lk cz sk hu ro bg gr at be dk ie il "
    "icu cyou buzz fun space website network world today digital money exchange trade cash credit loan "
    "bet casino win one ltd group global email support help services solutions agency zone center rocks "
    "lol best bid cam cfd sbs rest bar wtf tk ml ga cf gq pw la ms is st ac fm am im nu "
    "bond market markets capital fund investments crypto claims gift gifts airdrop bot"
).split()
_TLD = "(?:" + "|".join(sorted(set(_TLDS), key=len, reverse=True)) + ")"
# TLDs that are also English words: "did it.It was", "told him.me too" are typos, not links. Without a path
# they count only in lower case after a label of 3+ characters.
_WORD_TLDS = frozenset(
    "is it me to at no in us my am be id la ms st ac im one win best fun help live today world zone center "
    "money cash rest bar bid cam lol gift gifts bot link click shop store trade market fund".split()
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOT_TIGHT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_DOT_SPACED = r"(?:\s+\.\s*|\s*\.\s+|\s*\[dot\]\s*|\s*\(dot\)\s*|\s+dot\s+)"
_PATH = r"(?:/[^\s<>\"'()\[\]{}]*)?"
_PATH_REQUIRED = r"/[^\s<>\"'()\[\]{}]+"

_SCHEME_URL = re.compile(r"\b(?:h[tx]{2}ps?|ftp)\s?(?::|\[:\])\s?//[^\s<>\"']+", re.IGNORECASE)
_WWW_URL = re.compile(rf"\bwww{_DOT_TIGHT}(?:{_LABEL}{_DOT_TIGHT})+{_TLD}\b{_PATH}", re.IGNORECASE)
_BARE_URL = re.compile(
    rf"(?<![\w@.\-/])(?:{_LABEL}{_DOT_TIGHT})+{_TLD}(?![\w\-@])(?!\.[a-z0-9])(?::\d{{2,5}})?{_PATH}",
    re.IGNORECASE,
)
# A dotted host followed by a path is a link whatever its TLD (forms.gle/x, example.wtf2/x): only the
# bare form needs the TLD list.
_PATH_URL = re.compile(rf"(?<![\w@.\-/])(?:{_LABEL}\.)+[a-z]{{2,10}}/[^\s<>\"'()\[\]{{}}]+", re.IGNORECASE)
_SPACED_URL = re.compile(rf"(?<![\w@.\-/])(?:{_LABEL}{_DOT_SPACED})+{_TLD}{_PATH_REQUIRED}", re.IGNORECASE)
_DEOBFUSCATE = re.compile(r"\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\bdot\b|\.)\s*", re.IGNORECASE)
_SPACED_HINT = re.compile(r"(?:\s\.|\.\s|dot[\]\)\s])\s*[a-z]{2,12}\s*/", re.IGNORECASE)
_GLUED_DOT = re.compile(r"[a-z0-9](?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))[a-z]", re.IGNORECASE)
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://)?(?:[^@/]*@)?([^/:?#]+)", re.IGNORECASE)

# --- messengers --------------------------------------------------------------------------------------

_SEP = rf"(?:{_DOT_TIGHT}|{_DOT_SPACED})"
_MESSENGER_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "telegram",
        re.compile(
            rf"(?<![\w.\-])(?:https?://)?(?:t{_SEP}me|telegram{_SEP}(?:me|dog)|tg{_SEP}me)\s*/\s*\+?[\w\-]{{2,}}"
            r"|\btg://\w+\?[^\s]+",
            re.IGNORECASE,
        ),
    ),
    (
        "whatsapp",
        re.compile(
            rf"(?<![\w.\-])(?:https?://)?(?:wa{_SEP}me\s*/\s*\+?\d[\d\-]{{5,}}|(?:chat|api){_SEP}whatsapp{_SEP}com"
            rf"\s*/\s*[^\s]+|wa{_SEP}link\s*/\s*\w+)",
            re.IGNORECASE,
        ),
    ),
    (
        "discord",
        re.compile(
            rf"(?<![\w.\-])(?:https?://)?(?:discord{_SEP}gg|discord(?:app)?{_SEP}com\s*/\s*invite)\s*/\s*[\w\-]{{2,}}",
            re.IGNORECASE,
        ),
    ),
    (
        "signal",
        re.compile(rf"(?<![\w.\-])(?:https?://)?signal{_SEP}(?:me|group)\s*/\s*#?[^\s]+", re.IGNORECASE),
    ),
    ("line", re.compile(rf"(?<![\w.\-])(?:https?://)?line{_SEP}me\s*/\s*[^\s]+", re.IGNORECASE)),
)

_INVITE_HINT = re.compile(r"(?:me|gg|com|group|dog|link|invite)\s*/|tg://", re.IGNORECASE)

# "WeChat: abc_123", "微信：abc123", "vx: abc123" (vx/wx only with a colon: they are short).
_WECHAT = re.compile(
    r"(?:(?:wechat|we\s?chat|weixin|微信|v信|薇信|威信)\s*(?:id|号|账号)?\s*[:：]?\s*|\b(?:vx|wx)\s*[:：]\s*)"
    r"(?P<id>[A-Za-z][-_A-Za-z0-9]{5,19})\b",
    re.IGNORECASE,
)
_WECHAT_KEYS = ("wechat", "we chat", "weixin", "微信", "v信", "薇信", "威信", "vx", "wx")
_DISCORD_NAME = re.compile(
    r"\bdiscord\s*(?:id|username|user|name|tag)?\s*(?:[:：]|\bis\b)\s*@?(?P<id>[\w.]{2,32}(?:#\d{4})?)"
    r"|\b(?:add|dm|message|msg)\s+me\s+on\s+discord\s*[:：]?\s*@?(?P<id2>[\w.]{2,32}(?:#\d{4})?)",
    re.IGNORECASE,
)
_LINE_ID = re.compile(r"\bline\s*id\s*[:：]?\s*@?(?P<id>[\w.\-]{3,20})", re.IGNORECASE)
_MESSENGER_WORD = re.compile(
    r"\b(?:telegram|tele|tg|t\.me|dm|dms|pm|inbox|whats\s?app|wa|signal|wechat|discord|viber|zalo|kakao(?:talk)?"
    r"|message\s+me|msg\s+me|text\s+me|contact|reach\s+(?:out\s+to|me)|write\s+to|add\s+me|ping|hmu|hit\s+up)\b"
    r"|微信|电报|飞机",
    re.IGNORECASE,
)
_INVITE = re.compile(
    r"\b(?:dm|pm|inbox|message|msg|text|whatsapp|contact|reach\s+out\s+to|write\s+to|hit\s+up|add)\s+(?:me|him|her|us|them)\b"
    r"(?:\s+(?:on|via|at)\s+(?:telegram|tg|whats\s?app|signal|wechat|discord|instagram|ig|email|viber|line))?"
    r"|\b(?:reach\s+out\s+to|contact|message|text)\s+(?:him|her|them)\s+on\s+\w+"
    r"|\blink\s+(?:is\s+)?in\s+(?:my\s+|the\s+)?(?:bio|profile|description)\b"
    r"|\b(?:check|see|visit)\s+(?:out\s+)?my\s+(?:profile|bio|page|channel)\b"
    r"|\b(?:details|info|link|more)\s+in\s+(?:our|my)\s+(?:telegram|tg|whats\s?app|discord|signal|wechat)(?:\s+(?:group|channel|chat))?\b"
    r"|\b(?:join|dm|contact)\s+(?:our|my|the)\s+(?:telegram|tg|whats\s?app|discord|signal|wechat)\b"
    r"|\bdm\s+(?:for|to\s+(?:join|learn|get))\b",
    re.IGNORECASE,
)
# Every alternative of _INVITE holds one of these: a substring test is 20 times cheaper than the pattern.
_INVITE_KEYS = (
    "dm", "pm ", "inbox", "message", "msg", "text ", "whatsapp", "contact", "reach out", "write to", "hit up",
    "add ", "link", "profile", "bio", "my page", "channel", "in our", "in my", "join",
)
_HANDLE = re.compile(r"(?<![\w@.])@(?P<h>[A-Za-z][A-Za-z0-9_]{3,31})\b(?!\.[a-z])")
_HANDLE_WINDOW = 40

_EMAIL = re.compile(
    rf"(?<![\w.+\-])[A-Za-z0-9][\w.+\-]{{0,63}}\s?(?:@|\[at\]|\(at\))\s?(?:{_LABEL}\.)+{_TLD}\b", re.IGNORECASE
)

# --- phones ------------------------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w$€£¥₿.,/+\-])(?P<plus>\+|00(?=[1-9]))?\s?(?:\(\d{1,4}\)[\s.\-]?)?\d[\d\s.\-()]{6,22}\d(?![\w%$€£¥]|[.,]\d|/\d)"
)
_PHONE_WORD = re.compile(
    r"\b(?:call|phone|tel|mobile|cell|whats\s?app|wa|text|sms|contact|viber|zalo|signal|telegram|wechat|hotline|"
    r"number|no)\b|电话|手机|微信|☎|📞|📱",
    re.IGNORECASE,
)
_AFTER_UNIT = re.compile(
    r"\s?(?:%|x\b|k\b|usd|usdt|usdc|btc|eth|sol|sats?\b|coins?\b|tokens?\b|dollars?|bucks|\$|€|years?\b|"
    r"times\b|people\b|users\b|holders\b|views\b)",
    re.IGNORECASE,
)
_BEFORE_UNIT = re.compile(r"(?:[$€£¥₿]|usd|usdt|eur|btc|eth|price|at|to|from|between)\s?$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_DATE = re.compile(r"^(?:\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{4})$")

# --- wallets -----------------------------------------------------------------------------------------

_B58 = "1-9A-HJ-NP-Za-km-z"
_BASE58_RUN = re.compile(rf"(?<![\w/])[{_B58}]{{25,44}}(?![\w/])")
_BECH32 = re.compile(r"(?<![\w/])(?:bc1|tb1|ltc1)[ac-hj-np-z02-9]{8,87}(?![\w/])", re.IGNORECASE)
_ETH = re.compile(r"(?<![\w/])0x[0-9a-fA-F]{40}(?![\w/])")
_XRP_RUN = re.compile(r"(?<![\w/])r[1-9A-HJ-NP-Za-km-z]{24,34}(?![\w/])")
_CRYPTO_WORD = re.compile(
    r"\b(?:sol|solana|wallet|address|addr|send|deposit|contract|ca|token|mint|pump|phantom|airdrop|claim|"
    r"usdt|usdc|btc|eth|crypto|coin|memecoin|dex|raydium|jupiter|pay|transfer)\b",
    re.IGNORECASE,
)
_CRYPTO_WINDOW = 60
_XRP_ALPHABET = base58.XRP_ALPHABET
_LONG_RUN = re.compile(r"[0-9A-Za-z]{25,}")
# Base58Check version byte -> kind. 0x00/0x05: BTC P2PKH/P2SH; 0x30/0x32: LTC L/M; 0x1e/0x16: DOGE D/9-A;
# 0x41: TRON T.
_BASE58_VERSIONS: dict[int, str] = {0x00: "btc", 0x05: "btc", 0x30: "ltc", 0x32: "ltc", 0x1E: "doge", 0x16: "doge", 0x41: "tron"}
_BECH32M_CONST = 0x2BC830A3


def find_signals(text: str, allowed_domains: Iterable[str] = ()) -> list[Finding]:
    """Every link, contact and wallet in ``text``, in order of position; overlaps keep the most specific.

    ``allowed_domains``: hosts never reported as links (a domain allows its subdomains).
    """
    allowed = tuple(_clean_domain(domain) for domain in allowed_domains if domain.strip())
    findings = [*find_wallets(text), *find_contacts(text), *find_links(text, allowed), *find_phones(text)]
    # Earlier kinds in that list win an overlap: a t.me link is a telegram contact, not a url; a wallet's
    # digits are not a phone.
    kept: list[Finding] = []
    for finding in findings:
        if not any(_overlaps(finding.span, other.span) for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda finding: finding.span)


def find_links(text: str, allowed_domains: Iterable[str] = ()) -> list[Finding]:
    allowed = tuple(allowed_domains)
    found: list[Finding] = []
    # Cheap substring tests first: most comments have no "//", no "www", no dot glued to a letter, no "/".
    # The full patterns then run only in windows around those hints: scanning 400 characters with an
    # unanchored domain pattern costs ten times more.
    lower = text.lower()
    searches: list[tuple[re.Pattern[str], int, int]] = []
    if "//" in text:
        searches.append((_SCHEME_URL, 0, len(text)))
    if "www" in lower:
        searches.append((_WWW_URL, 0, len(text)))
    glued = _windows(_GLUED_DOT, text, 64, 0)
    searches += [(_BARE_URL, start, end) for start, end in glued]
    if "/" in text:
        searches += [(_PATH_URL, start, end) for start, end in glued]
    if "/" in text:
        searches += [(_SPACED_URL, start, end) for start, end in _windows(_SPACED_HINT, text, 64, 0)]
    for pattern, start, end in searches:
        for match in _matches(pattern, text, start, end):
            matched = match.group().rstrip(".,;:!?)]}'\"")
            span = (match.start(), match.start() + len(matched))
            if any(_overlaps(span, other.span) for other in found):
                continue
            host = url_host(matched)
            if not host or "." not in host or (allowed and _is_allowed(host, allowed)):
                continue
            if pattern is _BARE_URL and (_is_email_domain(text, match.start()) or _looks_like_typo(matched)):
                continue
            found.append(Finding("url", matched, span))
    return found


def find_contacts(text: str) -> list[Finding]:
    found: list[Finding] = []
    lower = text.lower()
    if "/" in text:  # every invitation link has a path after its host
        for start, end in _windows(_INVITE_HINT, text, 40, 0):
            for kind, pattern in _MESSENGER_LINKS:
                found += [Finding(kind, m.group(), m.span()) for m in _matches(pattern, text, start, end)]
    for kind, pattern, keys in (("wechat", _WECHAT, _WECHAT_KEYS), ("discord", _DISCORD_NAME, ("discord",)), ("line", _LINE_ID, ("line",))):
        if not any(key in lower for key in keys):
            continue
        for match in pattern.finditer(text):
            if not _is_word_like_id(match):
                found.append(Finding(kind, match.group(), match.span()))
    if "@" in text or "[at]" in lower or "(at)" in lower:
        found += [Finding("email", m.group(), m.span()) for m in _EMAIL.finditer(text)]
    invite_keys = any(key in lower for key in _INVITE_KEYS)
    for match in _INVITE.finditer(text) if invite_keys else ():
        if not _inside(match.span(), found):
            found.append(Finding("invite", match.group(), match.span()))
    if "@" in text:
        for match in _HANDLE.finditer(text):
            window = text[max(0, match.start() - _HANDLE_WINDOW) : match.end() + _HANDLE_WINDOW]
            if _MESSENGER_WORD.search(window) and not _inside(match.span(), found):
                found.append(Finding("telegram" if _telegram_near(window) else _messenger_near(window), match.group(), match.span()))
    return found


def find_phones(text: str) -> list[Finding]:
    found: list[Finding] = []
    if len(_DIGIT.findall(text)) < 8:
        return found
    for match in _PHONE.finditer(text):
        raw = match.group()
        stripped = raw.rstrip(" .-(")
        start = match.start() + (len(raw) - len(raw.lstrip()))
        candidate = stripped.strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if not 8 <= digits <= 15 or candidate.count("(") != candidate.count(")"):
            continue
        end = start + len(candidate)
        if _DATE.match(candidate) or _only_years(candidate) or _AFTER_UNIT.match(text, end) or _BEFORE_UNIT.search(text[max(0, start - 8) : start]):
            continue
        has_plus = candidate.startswith(("+", "00"))
        groups = [group for group in re.split(r"[\s.\-()]+", candidate.lstrip("+")) if group]
        separators = set(re.findall(r"[\s.\-]", candidate))
        near_word = bool(_PHONE_WORD.search(text[max(0, start - 30) : start]))
        if not has_plus and not near_word:
            if len(groups) < 3 and not (len(groups) == 2 and separators <= {" "} and len(groups[0]) >= 3):
                continue  # "30000-35000", "123456789" alone: a range or an id, not a phone
            if separators == {"."} and len(groups) == 2:
                continue  # a decimal
            if any(len(group) > 5 for group in groups[1:]) and len(groups) > 2:
                continue
        found.append(Finding("phone", candidate, (start, end)))
    return found


def find_wallets(text: str) -> list[Finding]:
    found: list[Finding] = []
    runs = [(m.start(), m.end()) for m in _LONG_RUN.finditer(text)]
    if not runs:
        return found  # every address is a run of 25+ letters and digits
    lower = text.lower()
    for start, end in runs:
        if "0x" in text[start:end]:
            found += [Finding("eth", m.group(), m.span()) for m in _matches(_ETH, text, start, end)]
        if "bc1" in lower[start:end] or "tb1" in lower[start:end] or "ltc1" in lower[start:end]:
            for match in _matches(_BECH32, text, start, end):
                kind = _bech32_kind(match.group())
                if kind:
                    found.append(Finding(kind, match.group(), match.span()))
    windows = [(max(0, start - 1), end) for start, end in runs]
    base58_runs = [m for start, end in windows for m in _matches(_BASE58_RUN, text, start, end)]
    for match in base58_runs:
        if _inside(match.span(), found):
            continue
        candidate = match.group()
        kind = _base58check_kind(candidate)
        if kind is None and 32 <= len(candidate) <= 44 and _solana_like(candidate):
            window = text[max(0, match.start() - _CRYPTO_WINDOW) : match.end() + _CRYPTO_WINDOW]
            kind = "solana" if _CRYPTO_WORD.search(window) else None
        if kind:
            found.append(Finding(kind, candidate, match.span()))
    for match in (m for start, end in windows for m in _matches(_XRP_RUN, text, start, end)):
        if not _inside(match.span(), found) and _xrp_valid(match.group()):
            found.append(Finding("xrp", match.group(), match.span()))
    return found


def _windows(hint: re.Pattern[str], text: str, before: int, after: int) -> list[tuple[int, int]]:
    """Merged ranges of ``text`` around each match of ``hint``."""
    ranges: list[tuple[int, int]] = []
    for match in hint.finditer(text):
        start, end = max(0, match.start() - before), min(len(text), match.end() + after)
        if ranges and start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
        else:
            ranges.append((start, end))
    return ranges


def _matches(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[re.Match[str]]:
    """Matches of ``pattern`` that start in [start, end); a match may run past ``end`` (spans stay absolute)."""
    if start == 0 and end == len(text):
        return list(pattern.finditer(text))
    found = []
    position = start
    while position < end:
        match = pattern.search(text, position)
        if match is None or match.start() >= end:
            break
        found.append(match)
        position = max(match.end(), position + 1)
    return found


def _only_years(candidate: str) -> bool:
    """"1966  2026", "2021-2024": years side by side, not a number to call."""
    groups = re.split(r"[\s.\-()]+", candidate.strip("+"))
    return all(len(group) == 4 and 1900 <= int(group) <= 2099 for group in groups if group)


def url_host(url: str) -> str:
    """The host of a (possibly obfuscated) URL, lower case, without ``www.``: ``hxxp://evil[.]xyz/a`` -> evil.xyz."""
    plain = _DEOBFUSCATE.sub(".", url.strip())
    plain = re.sub(r"^h[tx]{2}p", "http", plain, flags=re.IGNORECASE)
    plain = re.sub(r"\s*(?:\[:\]|:)\s*//", "://", plain)
    match = _HOST.match(plain)
    if not match:
        return ""
    host = match.group(1).lower().strip(".")
    return host.removeprefix("www.")


def _looks_like_typo(matched: str) -> bool:
    """A missing space after a full stop ("done.Thanks", "it.It") rather than a domain."""
    if "/" in matched:
        return False
    host = _DEOBFUSCATE.sub(".", matched)
    labels = host.split(".")
    tld = labels[-1]
    if tld[:1].isupper() and not tld.isupper():
        return True
    return tld.lower() in _WORD_TLDS and (tld != tld.lower() or len(labels[-2]) < 3)


def _clean_domain(domain: str) -> str:
    return url_host(domain) or domain.strip().lower()


def _is_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in allowed)


def _is_email_domain(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return "@" in before


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(span: tuple[int, int], findings: list[Finding]) -> bool:
    return any(_overlaps(span, finding.span) for finding in findings)


def _is_word_like_id(match: re.Match[str]) -> bool:
    """"WeChat is great" names the app, it gives no id: an id has a digit, an underscore or a colon before it."""
    identifier = match.group("id") or (match.groupdict().get("id2") or "")
    has_colon = ":" in match.group() or "：" in match.group()
    return not has_colon and not re.search(r"[\d_#.]", identifier)


def _telegram_near(window: str) -> bool:
    return bool(re.search(r"telegram|\btg\b|\btele\b|电报|飞机|t\.me", window, re.IGNORECASE))


def _messenger_near(window: str) -> str:
    lowered = window.lower()
    for word, kind in (("whatsapp", "whatsapp"), ("signal", "signal"), ("discord", "discord"), ("wechat", "wechat")):
        if word in lowered:
            return kind
    return "telegram"  # "DM me @x" under a crypto article is a Telegram handle far more often than not


def _base58check_kind(candidate: str) -> str | None:
    if candidate[0] not in "13LMDA9T":
        return None
    try:
        payload = base58.b58decode_check(candidate)
    except ValueError:
        return None
    if len(payload) != 21:
        return None
    return _BASE58_VERSIONS.get(payload[0])


def _solana_like(candidate: str) -> bool:
    if not (any(ch.isdigit() for ch in candidate) and any(ch.isupper() for ch in candidate) and any(ch.islower() for ch in candidate)):
        return False
    try:
        return len(base58.b58decode(candidate)) == 32
    except ValueError:
        return False


def _xrp_valid(candidate: str) -> bool:
    try:
        payload = base58.b58decode_check(candidate, alphabet=_XRP_ALPHABET)
    except ValueError:
        return False
    return len(payload) == 21 and payload[0] == 0


def _bech32_kind(candidate: str) -> str | None:
    if candidate != candidate.lower() and candidate != candidate.upper():
        return None
    hrp, data = _bech32_decode_any(candidate.lower())
    if hrp is None:
        return None
    return {"bc": "btc", "tb": "btc", "ltc": "ltc"}.get(hrp)


def _bech32_decode_any(address: str) -> tuple[str | None, list[int] | None]:
    """Checksum for both bech32 (segwit v0, BIP 173) and bech32m (taproot, BIP 350); ``bech32`` 1.2 knows only the first."""
    pos = address.rfind("1")
    if pos < 1 or pos + 7 > len(address) or len(address) > 90:
        return None, None
    hrp = address[:pos]
    try:
        data = [bech32.CHARSET.index(ch) for ch in address[pos + 1 :]]
    except ValueError:
        return None, None
    checksum = bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + data)
    if checksum not in (1, _BECH32M_CONST):
        return None, None
    version = data[0]
    # v0 uses bech32, v1+ bech32m (BIP 350): the wrong constant is a corrupted address.
    if (version == 0) != (checksum == 1):
        return None, None
    return hrp, data
