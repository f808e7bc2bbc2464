"""The fixed parts of the demo: accounts, names and the article's patient."""

# The published demo login (README); seed-demo refuses a database holding real data.
DEMO_CLINIC_CONTACT = {
    "address": "2-14-3 Kichijoji Honcho, Musashino, Tokyo 180-0004",
    "phone": "0422-00-1234",
    "email": "front-desk@fuji-wellness.example",
}
DEMO_PASSWORD = "demo-password"  # nosec B105
DEMO_CLINIC = "Fuji Wellness (demo)"
OTHER_CLINIC = "Other Clinic (demo)"

# email, name, role, clinic
DEMO_USERS = (
    ("admin@demo.test", "Aiko Tanaka", "admin", DEMO_CLINIC),
    ("practitioner@demo.test", "Sunny Pham", "practitioner", DEMO_CLINIC),
    ("reception@demo.test", "Mei Kobayashi", "reception", DEMO_CLINIC),
    ("other@demo.test", "Olivia Other", "admin", OTHER_CLINIC),
)

# STRICTA item 5 for the accounts that treat (reception has none): shown on signed notes.
DEMO_BACKGROUNDS = {
    "admin@demo.test": {
        "qualification": "Licensed acupuncturist and moxibustionist (Japan, はり師・きゅう師)",
        "practising_since": 2008,
        "training": "Meiji University of Integrative Medicine, 2005-2008; "
        "JSAM electroacupuncture course 2016",
    },
    "practitioner@demo.test": {
        "qualification": "Licensed acupuncturist (Japan, はり師・きゅう師)",
        "practising_since": 2012,
        "training": "Tokyo Therapeutic Institute, 3-year course; "
        "JSAM electroacupuncture course 2019",
    },
    "other@demo.test": {
        "qualification": "MSc Acupuncture (UK), BAcC member",
        "practising_since": 2015,
        "training": "Dry needling for musculoskeletal pain, 2021",
    },
}

# family, given, family kana, given kana, sex
JAPANESE_NAMES = (
    ("佐藤", "健一", "サトウ", "ケンイチ", "male"),
    ("鈴木", "花子", "スズキ", "ハナコ", "female"),
    ("高橋", "誠", "タカハシ", "マコト", "male"),
    ("田中", "美咲", "タナカ", "ミサキ", "female"),
    ("伊藤", "大輔", "イトウ", "ダイスケ", "male"),
    ("渡辺", "由美", "ワタナベ", "ユミ", "female"),
    ("山本", "翔太", "ヤマモト", "ショウタ", "male"),
    ("中村", "さくら", "ナカムラ", "サクラ", "female"),
    ("小林", "浩二", "コバヤシ", "コウジ", "male"),
    ("加藤", "恵子", "カトウ", "ケイコ", "female"),
    ("吉田", "拓也", "ヨシダ", "タクヤ", "male"),
    ("山田", "優子", "ヤマダ", "ユウコ", "female"),
    ("佐々木", "隆", "ササキ", "タカシ", "male"),
    ("山口", "真由美", "ヤマグチ", "マユミ", "female"),
    ("松本", "健太", "マツモト", "ケンタ", "male"),
    ("井上", "明美", "イノウエ", "アケミ", "female"),
    ("木村", "直樹", "キムラ", "ナオキ", "male"),
    ("林", "千尋", "ハヤシ", "チヒロ", "female"),
    ("斎藤", "修", "サイトウ", "オサム", "male"),
    ("清水", "綾", "シミズ", "アヤ", "female"),
    ("山崎", "亮", "ヤマザキ", "リョウ", "male"),
    ("森", "陽子", "モリ", "ヨウコ", "female"),
    ("池田", "悠斗", "イケダ", "ユウト", "male"),
    ("橋本", "葵", "ハシモト", "アオイ", "female"),
    ("石川", "裕子", "イシカワ", "ユウコ", "female"),
)

LATIN_NAMES = (
    ("Smith", "Emily", "female"),
    ("García", "José", "male"),
    ("Müller", "Anna", "female"),
    ("Nguyen", "Minh", "male"),
    ("O'Brien", "Siobhan", "female"),
    ("Rossi", "Marco", "male"),
    ("Kowalski", "Piotr", "male"),
    ("Dubois", "Claire", "female"),
    ("Johnson", "Michael", "male"),
    ("Silva", "Beatriz", "female"),
    ("Kim", "Ji-woo", "female"),
    ("Chen", "Wei", "male"),
    ("Andersson", "Lars", "male"),
    ("Patel", "Priya", "female"),
    ("Brown", "Oliver", "male"),
)

OCCUPATIONS = (
    "Software engineer",
    "Accountant",
    "Nurse",
    "Delivery driver",
    "Teacher",
    "Designer",
    "Warehouse worker",
    "Sales manager",
    "Student",
    "Retired",
    "Chef",
    "Call centre operator",
)

COMPLAINTS = {
    "thoracic": (
        "Middle back pain between the shoulder blades",
        "Stiff upper back after long days at the desk",
        "Aching mid-back, worse in the evening",
    ),
    "lumbar": (
        "Lower back pain after lifting",
        "Chronic low back ache",
        "Sciatica-like low back pain",
    ),
    "cervical": ("Neck stiffness and headaches", "Stiff neck from screen work"),
    "shoulder": ("Right shoulder pain reaching overhead", "Tight shoulders and upper trapezius"),
}

# The clinic's own article, made into a patient: thoracic pain from a desk job.
ARTICLE_PATIENT = {
    "family_name": "佐藤",
    "given_name": "健一",
    "family_name_kana": "サトウ",
    "given_name_kana": "ケンイチ",
    "sex": "male",
    "occupation": "Software engineer (desk, 10 h a day)",
    "phone": "090-1234-5678",
    "email": "k.sato@example.jp",
    "preferred_language": "ja",
}
ARTICLE_INTAKE = {
    "chief_complaint": "Middle back pain between the shoulder blades from poor posture at a desk",
    "body_region": "thoracic",
    "side": "bilateral",
    "onset_type": "gradual",
    "causes": ["poor_posture", "stress_tension"],
    "symptoms": ["dull_pain", "stiffness", "muscle_tightness", "worse_inactivity"],
    "co_interventions": ["yoga_stretching"],
    "sitting_hours": 10,
    "break_habit": "rarely",
    "exercise": "weekly",
    "exercise_notes": "Walks at weekends",
    "stress_level": 7,
    "sleep_quality": 5,
    "mattress": "Soft futon, 8 years old",
    "sleep_position": "stomach",
    "weight_trend": "gaining",
    "tongue_colour": "dark_red",
    "tongue_coating": "thin_white",
    "tongue_shape": ["tooth_marked"],
    "tongue_moisture": "normal",
    "pulse_rate": 72,
    "pulse_qualities": ["wiry", "tight"],
    "pulse_positions": {"left_guan": "wiry"},
    "patterns": ["qi_blood_stagnation", "liver_qi_stagnation"],
    "pattern_notes": "Qi and Blood stagnation in the upper back from prolonged sitting; Liver Qi "
    "constraint with work stress.",
    "acupuncture_style": "tcm",
    "rationale": "Clinic protocol for middle back pain: back-shu points BL18, BL20, BL23, local "
    "GV6 and GV9, distal LI4 and SP6, GB21 for shoulder tension, Ashi points.",
    "planned_sessions": 8,
    "planned_interval_days": 5,
    "goals": "Work a full day at the desk without pain; sleep through the night.",
    "baseline_nrs": 7,
}
