"""Hand-written short comments for the site's languages that have no labeled data here.

Written for this project (no outside source) to measure two things on text like the comment section's:
language identification on short, slangy, code-mixed comments, and what a toxicity model trained on other
languages does with an uncovered language (`UNCOVERED` in engagement.moderation.multilingual). Each language
has 8 offensive comments (insults, slurs of the everyday kind, wishes of harm) and 8 benign ones, most of
them crypto talk ("HODL", "BTC to the moon 🚀") and civil criticism, so that a score which merely reacts to
slang or to a foreign script shows up as a benign comment held.

Sixteen comments per language is a smoke test, not a benchmark: one comment is 12.5 points of a rate. It is
enough to tell "transfers" from "does not" and no finer.
"""

from __future__ import annotations

# language -> [(text, offensive)]
HANDWRITTEN: dict[str, list[tuple[str, int]]] = {
    "vi": [
        ("Mày là thằng ngu, câm mồm đi.", 1),
        ("Đồ ngu như chó, cút đi.", 1),
        ("Thằng lừa đảo khốn nạn, đi chết đi.", 1),
        ("Con mẹ mày, đồ óc chó.", 1),
        ("Bọn mày toàn lũ ăn hại, ngu hết phần thiên hạ.", 1),
        ("Địt mẹ thằng admin ngu.", 1),
        ("Mày đúng là đồ rác rưởi, không ai cần mày.", 1),
        ("Câm mồm đi con khốn, mày biết gì mà nói.", 1),
        ("Bài viết rất hay, cảm ơn bạn.", 0),
        ("BTC to the moon 🚀 anh em ơi!", 0),
        ("Giá ETH hôm nay tăng mạnh quá.", 0),
        ("Mình nghĩ thị trường sẽ điều chỉnh trước khi tăng tiếp.", 0),
        ("HODL thôi, đừng bán lúc hoảng loạn.", 0),
        ("Sàn này rút tiền nhanh không mọi người?", 0),
        ("Chính phủ quản lý crypto quá kém, cần luật rõ ràng hơn.", 0),
        ("Chúc mọi người cuối tuần vui vẻ.", 0),
    ],
    "es": [
        ("Eres un idiota, cállate ya.", 1),
        ("Qué pendejo eres, cabrón.", 1),
        ("Vete a la mierda, imbécil.", 1),
        ("Hijo de puta, estafador de mierda.", 1),
        ("Eres un estúpido y un inútil.", 1),
        ("Cállate, gilipollas, nadie te pidió opinión.", 1),
        ("Malditos idiotas, todos ustedes son basura.", 1),
        ("Puta madre, qué tonto eres, mongolo.", 1),
        ("Muy buen artículo, gracias por compartir.", 0),
        ("BTC to the moon 🚀 ¡vamos!", 0),
        ("Creo que el precio va a corregir antes de subir.", 0),
        ("HODL y a ignorar el FUD, hermanos.", 0),
        ("¿Alguien sabe cuándo es el halving?", 0),
        ("El gobierno regula fatal las criptomonedas.", 0),
        ("Compré un poco de ETH en la caída.", 0),
        ("Buenas noches a todos desde México.", 0),
    ],
    "ar": [
        ("أنت غبي، اسكت.", 1),
        ("يا حمار، اخرس.", 1),
        ("كلب ابن كلب، نصاب حقير.", 1),
        ("أنت أحمق ولا تفهم شيئا.", 1),
        ("يا ابن الكلب، روح في داهية.", 1),
        ("أنتم مجموعة من الحثالة والأغبياء.", 1),
        ("اخرس يا حيوان.", 1),
        ("يلعن أبوك يا حقير.", 1),
        ("مقال رائع، شكرا لك.", 0),
        ("البيتكوين إلى القمر 🚀", 0),
        ("أعتقد أن السعر سيرتفع الأسبوع القادم.", 0),
        ("هل المنصة آمنة للسحب؟", 0),
        ("اشتريت بعض الإيثريوم اليوم.", 0),
        ("الحكومة فاشلة في تنظيم العملات الرقمية.", 0),
        ("صباح الخير للجميع.", 0),
        ("BTC to the moon يا شباب 🚀", 0),
    ],
    "pt": [
        ("Você é um idiota, cala a boca.", 1),
        ("Vai tomar no cu, seu otário.", 1),
        ("Filho da puta, golpista de merda.", 1),
        ("Seu burro imbecil, ninguém liga pra você.", 1),
        ("Cala a boca, sua vagabunda.", 1),
        ("Que bando de retardados.", 1),
        ("Vai se foder, babaca.", 1),
        ("Você é um lixo, caralho.", 1),
        ("Ótimo artigo, obrigado por compartilhar.", 0),
        ("BTC to the moon 🚀 bora!", 0),
        ("Acho que o preço vai cair antes de subir.", 0),
        ("HODL e ignora o FUD, galera.", 0),
        ("Alguém sabe se essa corretora é confiável?", 0),
        ("O governo é incompetente com cripto.", 0),
        ("Comprei um pouco de ETH no dip.", 0),
        ("Bom dia a todos do Brasil.", 0),
    ],
    "id": [
        ("Dasar bodoh, diam kau.", 1),
        ("Anjing lu, penipu bangsat.", 1),
        ("Goblok banget sih lu.", 1),
        ("Kontol, tutup mulutmu.", 1),
        ("Dasar tolol, nggak ada yang peduli sama kamu.", 1),
        ("Bangsat, dasar babi.", 1),
        ("Kalian semua sampah dan idiot.", 1),
        ("Mampus lu, anjing.", 1),
        ("Artikel yang bagus, terima kasih.", 0),
        ("BTC to the moon 🚀 gas terus!", 0),
        ("Menurut saya harga akan turun dulu sebelum naik.", 0),
        ("HODL aja, jangan panik jual.", 0),
        ("Ada yang tahu exchange ini aman nggak?", 0),
        ("Pemerintah lambat sekali mengatur kripto.", 0),
        ("Saya beli sedikit ETH waktu harga turun.", 0),
        ("Selamat pagi semuanya.", 0),
    ],
    "fr": [
        ("T'es vraiment un connard, ferme ta gueule.", 1),
        ("Espèce d'idiot, dégage.", 1),
        ("Va te faire foutre, sale con.", 1),
        ("Fils de pute, arnaqueur de merde.", 1),
        ("Tu es débile et inutile.", 1),
        ("Bande de cons, vous êtes tous des abrutis.", 1),
        ("Ta gueule, pauvre merde.", 1),
        ("Salope, personne ne t'a demandé ton avis.", 1),
        ("Très bon article, merci pour le partage.", 0),
        ("BTC to the moon 🚀 let's go !", 0),
        ("Je pense que le prix va corriger avant de remonter.", 0),
        ("HODL et ignorez le FUD.", 0),
        ("Quelqu'un sait si cette plateforme est fiable ?", 0),
        ("Le gouvernement est nul sur la régulation des cryptos.", 0),
        ("J'ai acheté un peu d'ETH pendant la baisse.", 0),
        ("Bonne soirée à tous.", 0),
    ],
    "uk": [
        ("Ти повний ідіот, закрий рота.", 1),
        ("Пішов ти, придурок.", 1),
        ("Ти тупий як пробка, дебіл.", 1),
        ("Шахрай довбаний, щоб ти здох.", 1),
        ("Замовкни, покидьок.", 1),
        ("Ви всі тут бидло і дурні.", 1),
        ("Їбана твоя мати, виродок.", 1),
        ("Ти жалюгідний нікчема.", 1),
        ("Чудова стаття, дякую.", 0),
        ("BTC to the moon 🚀 друзі!", 0),
        ("Я думаю, що ціна ще трохи впаде.", 0),
        ("Тримаю біткоїн і не панікую.", 0),
        ("Хтось знає, чи ця біржа надійна?", 0),
        ("Уряд дуже погано регулює криптовалюти.", 0),
        ("Купив трохи ефіру на падінні.", 0),
        ("Доброго ранку всім з Києва.", 0),
    ],
    "tr": [
        ("Sen tam bir aptalsın, kes sesini salak.", 1),
        ("Siktir git, gerizekalı.", 1),
        ("Orospu çocuğu dolandırıcı.", 1),
        ("Ne kadar salaksın ya, mal.", 1),
        ("Kapa çeneni, şerefsiz.", 1),
        ("Hepiniz beyinsiz ahmaklarsınız.", 1),
        ("Amına koyayım, defol.", 1),
        ("Senin gibi pislikler yüzünden bu site bitti.", 1),
        ("Harika bir makale, teşekkürler.", 0),
        ("BTC to the moon 🚀 hadi!", 0),
        ("Bence fiyat önce düşecek sonra yükselecek.", 0),
        ("HODL yapın, paniklemeyin.", 0),
        ("Bu borsa güvenilir mi bilen var mı?", 0),
        ("Hükümet kriptoyu çok kötü düzenliyor.", 0),
        ("Düşüşte biraz ETH aldım.", 0),
        ("Herkese iyi akşamlar.", 0),
    ],
}

# Short comments for language identification only, in languages that do have labeled data but whose data is
# not short, slangy or in this script: traditional Chinese (COLD is simplified), and crypto talk.
LANGUAGE_ONLY: dict[str, list[str]] = {
    "zh": [
        "你這個白癡，閉嘴吧。",
        "這篇文章寫得很好，謝謝分享。",
        "比特幣要漲到月球了 🚀",
        "今天的行情真的很瘋狂。",
        "請問這個交易所安全嗎？",
        "政府對加密貨幣的監管太差了。",
        "大家晚安。",
        "BTC 冲啊 🚀 兄弟们",
        "你是个白痴，闭嘴吧，蠢货。",
        "币圈太难了，又被割韭菜了",
    ],
    "ja": [
        "ビットコイン爆上げ🚀",
        "この記事ありがとうございます。",
        "お前は本当にバカだな。",
        "ガチホで行きます",
    ],
    "ko": [
        "비트코인 가즈아 🚀",
        "좋은 기사 감사합니다.",
        "닥쳐 이 멍청아.",
        "존버는 승리한다",
    ],
    "ru": [
        "Ты полный идиот, заткнись, урод.",
        "Биткоин на луну 🚀",
        "Спасибо за статью.",
        "Держу эфир и не паникую.",
    ],
    "de": [
        "Du bist ein Vollidiot, halt die Klappe.",
        "BTC to the moon 🚀 Leute!",
        "Danke für den Artikel.",
        "Ich halte meine Coins, kein Panikverkauf.",
    ],
    "en": [
        "HODL and ignore the FUD, paper hands always sell the bottom.",
        "BTC to the moon 🚀",
        "You are a complete idiot, shut up.",
        "Great article, thanks.",
    ],
}


def handwritten_rows() -> list[tuple[str, str, int]]:
    """(language, text, offensive) for every hand-written labeled comment."""
    return [(lang, text, label) for lang, rows in HANDWRITTEN.items() for text, label in rows]
