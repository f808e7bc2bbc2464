"""The words of a generated clinic group (bench/generate.py): patients' names in kanji with
their kana reading (and a tenth in Latin script), what the notes say, and each patient's
search text folded as ``patients.services`` folds it."""

from functools import cache

from tracker.patients.search import build_search_text, fold, phone_digits

SITES = {"lumbar": "Lower back", "thoracic": "Upper back", "cervical": "Neck and shoulders",
         "shoulder": "Shoulder girdle"}
OBJECTIVE = {
    "lumbar": ("Tight lumbar paraspinals, tender L4-L5; flexion limited.",
               "Tender right QL; slump test negative.",
               "Guarding on flexion, better than last week."),
    "thoracic": ("Tight paraspinals T6-T9, tender left T7.", "Rhomboids taut; rotation limited.",
                 "Less tenderness between the scapulae."),
    "cervical": ("Upper trapezius taut both sides; rotation 60 degrees.",
                 "Suboccipitals tender; no neurological signs."),
    "shoulder": ("Painful arc 80-120 degrees; tender supraspinatus.",
                 "External rotation limited; no weakness."),
}
SUBJECTIVE = ("Feeling a little better.", "About the same; worse after long days at work.",
              "Slept better this week.", "Flare after gardening at the weekend.",
              "Pain easier in the mornings.", "Managed a full day at work without pain.")
AMENDMENT_REASONS = ("Added the palpation finding noted on paper at the table.",
                     "Pain after was taken from the wrong line of the paper form.",
                     "Next visit moved at the patient's request.")
JAPANESE_FAMILY = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
)
JAPANESE_GIVEN = {
    "male": (("健一", "ケンイチ"), ("誠", "マコト"), ("大輔", "ダイスケ"), ("翔太", "ショウタ"),
             ("浩二", "コウジ"), ("拓也", "タクヤ"), ("隆", "タカシ"), ("健太", "ケンタ"),
             ("直樹", "ナオキ"), ("修", "オサム"), ("亮", "リョウ"), ("悠斗", "ユウト"),
             ("蓮", "レン"), ("大和", "ヤマト"), ("和也", "カズヤ"), ("博", "ヒロシ")),
    "female": (("花子", "ハナコ"), ("美咲", "ミサキ"), ("由美", "ユミ"), ("さくら", "サクラ"),
               ("恵子", "ケイコ"), ("優子", "ユウコ"), ("真由美", "マユミ"), ("明美", "アケミ"),
               ("千尋", "チヒロ"), ("綾", "アヤ"), ("陽子", "ヨウコ"), ("葵", "アオイ"),
               ("結衣", "ユイ"), ("陽菜", "ヒナ"), ("久美子", "クミコ"), ("直美", "ナオミ")),
}
LATIN_FAMILY = ("Smith", "García", "Müller", "Nguyen", "O'Brien", "Rossi", "Kowalski", "Dubois",
                "Johnson", "Silva", "Kim", "Chen", "Andersson", "Patel", "Brown", "Wilson")
LATIN_GIVEN = {"male": ("José", "Minh", "Marco", "Piotr", "Michael", "Wei", "Lars", "Oliver"),
               "female": ("Emily", "Anna", "Siobhan", "Claire", "Beatriz", "Ji-woo", "Priya",
                          "Sophie")}
PSFS_ACTIVITIES = ("Sitting at the desk for an hour", "Lifting a child",
                   "Sleeping through the night", "Turning to reverse the car",
                   "Walking 30 minutes", "Gardening")


@cache
def _name_search_parts(family, given, family_kana, given_kana) -> frozenset[str]:
    """The folded names and readings (pykakasi is slow; a name recurs many times)."""
    text = build_search_text(family_name=family, given_name=given, family_name_kana=family_kana,
                             given_name_kana=given_kana, chart_number="", phone="", email="")
    return frozenset(text.split(" ")) if text else frozenset()


def search_text(values: dict) -> str:
    """``patients.search.build_search_text`` of the patient, with the names' part cached."""
    parts = set(_name_search_parts(values["family_name"], values["given_name"],
                                   values["family_name_kana"], values["given_name_kana"]))
    parts |= {fold(values["chart_number"]), phone_digits(values["chart_number"]),
              phone_digits(values["phone"]), fold(values["email"])}
    return " ".join(sorted(p for p in parts if p))


def identity(rng) -> dict:
    """A patient's names, sex, language and contacts: nine in ten Japanese, written in kanji
    with a katakana reading; the rest in Latin script, with an email address."""
    sex = rng.choice(("female", "female", "male"))  # back pain clinics see more women
    phone = f"0{rng.choice((80, 90, 70))}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    if rng.random() < 0.9:
        (family, family_kana), (given, given_kana) = (rng.choice(JAPANESE_FAMILY),
                                                      rng.choice(JAPANESE_GIVEN[sex]))
        return {"family_name": family, "given_name": given, "family_name_kana": family_kana,
                "given_name_kana": given_kana, "sex": sex, "phone": phone, "email": "",
                "preferred_language": "ja"}
    family, given = rng.choice(LATIN_FAMILY), rng.choice(LATIN_GIVEN[sex])
    email = f"{given}.{family}@example.com".lower().replace("'", "")
    return {"family_name": family, "given_name": given, "family_name_kana": "",
            "given_name_kana": "", "sex": sex, "phone": phone, "email": email,
            "preferred_language": "en"}
