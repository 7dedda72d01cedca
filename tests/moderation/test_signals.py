"""Links, contacts and wallets: what each detector must find, and the crypto talk it must leave alone."""

import pytest

from engagement.moderation.signals import KINDS, find_signals, url_host

FOUND = [
    # links
    ("Claim now at claim-airdrop.xyz before it ends", "url", "claim-airdrop.xyz"),
    ("Connect your wallet at https://uniswap-claims.app/connect", "url", "https://uniswap-claims.app/connect"),
    ("go to www.metamask-verify.io/restore", "url", "www.metamask-verify.io/restore"),
    ("hxxps://binance-support[.]com/ticket", "url", "hxxps://binance-support[.]com/ticket"),
    ("visit pancake-swap(.)finance", "url", "pancake-swap(.)finance"),
    ("see bonus-portal . xyz/claim for details", "url", "bonus-portal . xyz/claim"),
    ("CLAIM-AIRDROP.XYZ is live", "url", "CLAIM-AIRDROP.XYZ"),
    ("bit.ly/3xYzAbC", "url", "bit.ly/3xYzAbC"),
    # messengers
    ("Join our VIP signals: t.me/cryptowhales_vip", "telegram", "t.me/cryptowhales_vip"),
    ("join t . me/pumpgroup now", "telegram", "t . me/pumpgroup"),
    ("https://t.me/+AbCdEfGh123", "telegram", "https://t.me/+AbCdEfGh123"),
    ("telegram.me/recoveryexpert", "telegram", "telegram.me/recoveryexpert"),
    ("DM me on Telegram @cryptoguru_official for 10x", "telegram", "@cryptoguru_official"),
    ("message @WealthCoachAnna on tg", "telegram", "@WealthCoachAnna"),
    ("add me on WhatsApp @mark_trades", "whatsapp", "@mark_trades"),
    ("wa.me/447911123456", "whatsapp", "wa.me/447911123456"),
    ("https://chat.whatsapp.com/Fx9kLmN0pQr", "whatsapp", "https://chat.whatsapp.com/Fx9kLmN0pQr"),
    ("WeChat: cryptoking_88", "wechat", "WeChat: cryptoking_88"),
    ("加我微信：btc888vip 带你赚钱", "wechat", "微信：btc888vip"),
    ("discord.gg/moonshots", "discord", "discord.gg/moonshots"),
    ("discord: whale#1234", "discord", "discord: whale#1234"),
    ("signal.group/#CjQKIAbc", "signal", "signal.group/#CjQKIAbc"),
    ("line.me/ti/p/abc123", "line", "line.me/ti/p/abc123"),
    ("Email recovery.desk@protonmail.com to get your funds back", "email", "recovery.desk@protonmail.com"),
    # phones
    ("Call +1 (555) 123-4567 now", "phone", "+1 (555) 123-4567"),
    ("WhatsApp +44 7911 123456", "phone", "+44 7911 123456"),
    ("text 0049 151 23456789", "phone", "0049 151 23456789"),
    ("hotline 1-800-555-0199", "phone", "1-800-555-0199"),
    ("my number 555.867.5309 ok", "phone", "555.867.5309"),
    ("call me 13800138000", "phone", "13800138000"),
    ("+84912345678", "phone", "+84912345678"),
    # wallets
    ("send 0.1 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq get 0.2 back", "btc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    ("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "btc", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"),
    ("taproot bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", "btc", "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    ("P2SH 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    ("ETH: 0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "eth", "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"),
    ("USDT TRC20 TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "tron", "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW"),
    ("XRP rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY", "xrp", "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY"),
    ("LTC ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea", "ltc", "ltc1qg42tkwuuxefutzxezdkdel39gfstuap288mfea"),
    ("CA: 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU", "solana", "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"),
]

CLEAN = [
    "HODL and ignore the FUD, paper hands always sell the bottom",
    "BTC to the moon! 10x by December, 100x by 2030",
    "Price hit $0.25 today, up 12.5% and 3% daily is not sustainable",
    "BTC/USDT and ETH/BTC pairs both dumped on 2024-05-12",
    "Bought at 30000-35000 and sold at 69,000",
    "I lost 1,000,000 sats on that trade lol",
    "Market cap 1.2 trillion, volume 45000000 USD",
    "@john you're wrong about the halving",
    "Thanks @satoshi_fan, great point",
    "I did it.It was a good trade",
    "node.js and config.py are just files",
    "e.g. the U.S. economy, i.e. the Fed",
    "Telegram is a messaging app, and WeChat is popular in China",
    "the buy signal on the 4h chart looks good",
    "Gas fees were 0.00012345 ETH, 21000 gwei limit",
    "tx 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060 confirmed",
    "Block 840000 was the halving block, at 20:09 UTC",
    "wagmi ngmi gm fren, supercalifragilisticexpialidocious coin",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx is a typo'd address",  # bad bech32 checksum
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  # bad base58check checksum
    "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU",  # solana-shaped but no crypto context
    "Binance and Coinbase are both on my list, Kraken too",
    "Year 2024 was wild: 2021, 2022, 2023 all different",
    "1966  2026 colour schemes, and the 2021-2024 cycle",
    "Call it what you want, 100 million holders by 2025",
]


@pytest.mark.parametrize(("text", "kind", "matched"), FOUND)
def test_each_detector_finds_its_kind_with_exact_text_and_span(text, kind, matched):
    findings = [f for f in find_signals(text) if f.kind != "invite"]  # "DM me on Telegram" is also an invite
    assert [(f.kind, f.text) for f in findings] == [(kind, matched)]
    (finding,) = findings
    assert text[finding.span[0] : finding.span[1]] == matched
    assert finding.category == KINDS[kind]


@pytest.mark.parametrize("text", CLEAN)
def test_crypto_talk_prices_tickers_dates_and_replies_are_not_findings(text):
    assert find_signals(text) == []


INVITES = [
    "Investing with expert Anna changed my life, reach out to her on WhatsApp",
    "My mentor's strategy turned $500 into $15,000, message me to learn",
    "Full details in our Telegram group",
    "link in bio",
    "Check my profile for the secret method",
    "Licensed recovery firm, DM for a free consultation",
    "join our discord for the next call",
]
NOT_INVITES = [
    "The message is clear: the Fed will not cut",
    "Contact the exchange's support, not strangers",
    "I texted my brother about the halving",
    "Read the bio of Satoshi in the article",
    "Telegram is a messaging app",
]


@pytest.mark.parametrize("text", INVITES)
def test_invitations_to_talk_elsewhere_are_an_invite_signal(text):
    assert [f.category for f in find_signals(text)] == ["invite"]


@pytest.mark.parametrize("text", NOT_INVITES)
def test_talk_about_messages_and_messengers_is_not_an_invite(text):
    assert find_signals(text) == []


def test_a_dotted_host_with_a_path_is_a_link_whatever_its_tld():
    assert [f.text for f in find_signals("fill forms.gle/airdrop2024 now")] == ["forms.gle/airdrop2024"]


def test_allowlist_covers_the_domain_and_its_subdomains_only():
    text = "Read https://www.coindesk.com/markets and api.binance.com, not binance.com.evil.xyz or coindesk-claim.com"
    findings = find_signals(text, allowed_domains=["coindesk.com", "https://binance.com/"])
    assert [f.text for f in findings] == ["binance.com.evil.xyz", "coindesk-claim.com"]
    assert len(find_signals(text)) == 4


def test_an_email_is_one_contact_and_its_domain_is_not_a_second_link():
    assert [f.kind for f in find_signals("write to help@wallet-rescue.io")] == ["email"]


def test_several_findings_come_back_in_order():
    text = "Join t.me/pump_kings, pay 0x742d35Cc6634C0532925a3b844Bc454e4438f44e or call +1 555 123 4567"
    assert [f.kind for f in find_signals(text)] == ["telegram", "eth", "phone"]


def test_url_host_reads_obfuscated_urls():
    assert url_host("hxxps://Evil[.]Example(dot)com/path") == "evil.example.com"
    assert url_host("www.binance.com/en") == "binance.com"
