"""The demo catalogue: City Farm's kits, refills and courses, in Russian, Kazakh and English.

Texts are the shop's own. Prices are whole tenge here and stored in tiyn by the seed.
"""

CATEGORIES = [
    ("herbs", "Пряные травы", "Дәмдеуіш шөптер", "Spicy herbs"),
    ("tomatoes", "Томаты", "Қызанақтар", "Tomatoes"),
    ("microgreens", "Микрозелень", "Микрожасылдар", "Microgreens"),
    ("hydroponics", "Гидропоника", "Гидропоника", "Hydroponics"),
    ("refills", "Расходники", "Шығын материалдары", "Refills"),
    ("beekeeping", "Пчеловодство", "Ара шаруашылығы", "Beekeeping"),
    ("vermicompost", "Вермикомпост", "Вермикомпост", "Vermicompost"),
]

HERB_CONTENTS = (
    "Горшок из кокосового волокна\nКокосовый субстрат\nСемена ({ru})\nПоддон\nИнструкция с QR-кодом",
    "Кокос талшығынан жасалған қыш\nКокос субстраты\nТұқымдар ({kk})\nТабақша\nQR-кодты нұсқаулық",
    "Coconut-fibre pot\nCoconut substrate\nSeeds ({en})\nDrip tray\nInstructions with a QR code",
)


def _herb(slug, ru, kk, en, price, stock, days):
    return {
        "slug": slug, "category": "herbs", "price": price, "stock": stock, "days": days,
        "name": (f"Стартовый набор «{ru}»", f"«{kk}» бастапқы жинағы", f"{en} starter kit"),
        "description": (
            f"Всё, чтобы вырастить {ru.lower()} на подоконнике: посейте, поливайте раз в два дня "
            f"и срезайте первую зелень примерно через {days} дней.",
            f"{kk} терезе алдында өсіруге қажеттінің бәрі: егіңіз, екі күнде бір суарыңыз, "
            f"алғашқы көкті шамамен {days} күннен кейін кесіңіз.",
            f"Everything to grow {en.lower()} on a windowsill: sow, water every other day "
            f"and cut the first leaves in about {days} days.",
        ),
        "contents": tuple(text.format(ru=ru.lower(), kk=kk.lower(), en=en.lower()) for text in HERB_CONTENTS),
    }


PRODUCTS = [
    _herb("basil-starter-kit", "Базилик", "Райхан", "Basil", 7900, 25, 35) | {"featured": True},
    _herb("mint-starter-kit", "Мята", "Жалбыз", "Mint", 7500, 18, 40),
    _herb("cilantro-starter-kit", "Кинза", "Кинза", "Cilantro", 6900, 20, 30),
    _herb("parsley-starter-kit", "Петрушка", "Ақжелкен", "Parsley", 6900, 15, 45),
    _herb("dill-starter-kit", "Укроп", "Аскөк", "Dill", 6500, 22, 30),
    _herb("arugula-starter-kit", "Руккола", "Руккола", "Arugula", 6900, 4, 21),
    {
        "slug": "spicy-herbs-trio", "category": "herbs", "price": 18900, "stock": 10, "days": 35, "featured": True,
        "name": ("Трио пряных трав", "Дәмдеуіш шөптер үштігі", "Spicy herbs trio"),
        "description": (
            "Три горшка — базилик, мята и кинза — на одном поддоне. Хороший подарок и первая грядка на кухне.",
            "Бір табақшада үш қыш — райхан, жалбыз және кинза. Жақсы сыйлық әрі ас үйдегі алғашқы бақша.",
            "Three pots — basil, mint and cilantro — on one tray. A good gift and a first kitchen garden.",
        ),
        "contents": (
            "3 горшка из кокосового волокна\nСубстрат на 3 горшка\nСемена базилика, мяты и кинзы\nДлинный поддон\nИнструкция",
            "Кокос талшығынан 3 қыш\n3 қышқа арналған субстрат\nРайхан, жалбыз және кинза тұқымдары\nҰзын табақша\nНұсқаулық",
            "3 coconut-fibre pots\nSubstrate for 3 pots\nBasil, mint and cilantro seeds\nLong tray\nInstructions",
        ),
    },
    {
        "slug": "spicy-herbs-kit-with-course", "category": "herbs", "price": 26900, "stock": 12, "days": 35,
        "course": "spicy-herbs-on-the-windowsill",
        "name": ("Пряные травы + онлайн-курс", "Дәмдеуіш шөптер + онлайн-курс", "Spicy herbs kit + online course"),
        "description": (
            "Трио пряных трав и место на курсе «Пряные травы на подоконнике»: агроном ведёт вас от посева до первого урожая.",
            "Дәмдеуіш шөптер үштігі және «Терезе алдындағы дәмдеуіш шөптер» курсына орын: агроном егуден алғашқы өнімге дейін жетелейді.",
            "The spicy herbs trio and a seat in the “Spicy herbs on the windowsill” course: an agronomist guides you from sowing to the first harvest.",
        ),
        "contents": (
            "Трио пряных трав\nМесто в ближайшей группе курса\nЗаписи уроков",
            "Дәмдеуіш шөптер үштігі\nКурстың жақын тобында орын\nСабақтардың жазбалары",
            "Spicy herbs trio\nA seat in the course cohort of your choice\nLesson recordings",
        ),
    },
    {
        "slug": "cherry-tomato-kit", "category": "tomatoes", "price": 9900, "stock": 14, "days": 90, "featured": True,
        "name": ("Набор «Черри на окне»", "«Терезедегі черри» жинағы", "Windowsill cherry tomato kit"),
        "description": (
            "Низкорослый сорт черри для подоконника: сладкие томаты через три месяца после посева.",
            "Терезе алдына арналған аласа черри сорты: егуден үш айдан кейін тәтті қызанақтар.",
            "A dwarf cherry variety bred for windowsills: sweet tomatoes three months after sowing.",
        ),
        "contents": (
            "Горшок 3 л\nСубстрат с удобрением\nСемена черри (10 шт.)\nОпора для куста\nИнструкция",
            "3 л қыш\nТыңайтқышы бар субстрат\nЧерри тұқымы (10 дана)\nБұтаға арналған тірек\nНұсқаулық",
            "3-litre pot\nFertilised substrate\nCherry tomato seeds (10)\nPlant support\nInstructions",
        ),
    },
    {
        "slug": "balcony-tomato-kit", "category": "tomatoes", "price": 11900, "stock": 9, "days": 100,
        "name": ("Набор «Балконные томаты»", "«Балкон қызанақтары» жинағы", "Balcony tomato kit"),
        "description": (
            "Два куста томатов для балкона или лоджии, с опорами и подкормкой на весь сезон.",
            "Балконға немесе лоджияға арналған екі түп қызанақ, тіректері мен бүкіл маусымға тыңайтқышы бар.",
            "Two tomato plants for a balcony or loggia, with supports and feed for the whole season.",
        ),
        "contents": (
            "2 горшка по 5 л\nСубстрат\nСемена двух сортов\n2 опоры\nПодкормка на сезон",
            "5 л-лік 2 қыш\nСубстрат\nЕкі сорттың тұқымы\n2 тірек\nМаусымдық тыңайтқыш",
            "2 five-litre pots\nSubstrate\nSeeds of two varieties\n2 supports\nFeed for the season",
        ),
    },
    {
        "slug": "microgreens-starter-kit", "category": "microgreens", "price": 12900, "stock": 30, "days": 10, "featured": True,
        "name": ("Стартовый набор микрозелени", "Микрожасылдардың бастапқы жинағы", "Microgreens starter kit"),
        "description": (
            "Редис, горох и подсолнечник на льняных ковриках: первый урожай через 7–10 дней.",
            "Зығыр төсеніштердегі шалғам, бұршақ және күнбағыс: алғашқы өнім 7–10 күннен кейін.",
            "Radish, pea and sunflower on linen mats: the first harvest in 7–10 days.",
        ),
        "contents": (
            "2 лотка с крышками\n6 льняных ковриков\nСемена редиса, гороха и подсолнечника\nРаспылитель\nИнструкция",
            "Қақпағы бар 2 науа\n6 зығыр төсеніш\nШалғам, бұршақ және күнбағыс тұқымдары\nБүріккіш\nНұсқаулық",
            "2 trays with lids\n6 linen mats\nRadish, pea and sunflower seeds\nSpray bottle\nInstructions",
        ),
    },
    {
        "slug": "microgreens-kit-with-course", "category": "microgreens", "price": 29900, "stock": 15, "days": 10,
        "featured": True, "course": "microgreens-at-home",
        "name": ("Микрозелень + онлайн-курс", "Микрожасылдар + онлайн-курс", "Microgreens kit + online course"),
        "description": (
            "Стартовый набор микрозелени и место на курсе «Микрозелень дома»: четыре занятия, от посева до продажи урожая.",
            "Микрожасылдардың бастапқы жинағы және «Үйдегі микрожасылдар» курсына орын: егуден өнімді сатуға дейін төрт сабақ.",
            "The microgreens starter kit and a seat in the “Microgreens at home” course: four lessons, from sowing to selling your harvest.",
        ),
        "contents": (
            "Стартовый набор микрозелени\nМесто в выбранной группе курса\nЗаписи уроков и чек-листы",
            "Микрожасылдардың бастапқы жинағы\nТаңдалған курс тобында орын\nСабақ жазбалары мен чек-парақтар",
            "Microgreens starter kit\nA seat in the course cohort of your choice\nLesson recordings and checklists",
        ),
    },
    {
        "slug": "sunflower-pea-microgreens-kit", "category": "microgreens", "price": 8900, "stock": 3, "days": 9,
        "name": ("Набор «Подсолнечник и горох»", "«Күнбағыс пен бұршақ» жинағы", "Sunflower and pea microgreens kit"),
        "description": (
            "Самые хрустящие ростки: подсолнечник и горох в одном лотке.",
            "Ең қытырлақ өскіндер: бір науада күнбағыс пен бұршақ.",
            "The crunchiest shoots: sunflower and pea in one tray.",
        ),
        "contents": (
            "Лоток с крышкой\n3 льняных коврика\nСемена подсолнечника и гороха",
            "Қақпағы бар науа\n3 зығыр төсеніш\nКүнбағыс пен бұршақ тұқымдары",
            "Tray with lid\n3 linen mats\nSunflower and pea seeds",
        ),
    },
    {
        "slug": "hydroponic-home-farm", "category": "hydroponics", "price": 49900, "stock": 6, "days": 30,
        "name": ("Гидропонная мини-ферма", "Гидропоникалық шағын ферма", "Hydroponic home farm"),
        "description": (
            "Система на 12 растений с помпой и фитолампой: зелень круглый год без земли.",
            "Сорғысы мен фитошамы бар 12 өсімдікке арналған жүйе: жыл бойы топырақсыз көк.",
            "A 12-plant system with a pump and grow light: greens all year round without soil.",
        ),
        "contents": (
            "Резервуар 8 л\nПомпа и таймер\nФитолампа LED\n12 корзинок и минвата\nРаствор питательный A+B",
            "8 л резервуар\nСорғы мен таймер\nLED фитошамы\n12 себет және минералды мақта\nA+B қоректік ерітіндісі",
            "8-litre reservoir\nPump and timer\nLED grow light\n12 net cups and rockwool\nNutrient solution A+B",
        ),
    },
    {
        "slug": "hydroponic-kit-with-course", "category": "hydroponics", "price": 69900, "stock": 5, "days": 30,
        "course": "hydroponics-basics",
        "name": ("Гидропонная ферма + курс", "Гидропоникалық ферма + курс", "Hydroponic farm + course"),
        "description": (
            "Мини-ферма на 12 растений и место на курсе «Основы гидропоники».",
            "12 өсімдікке арналған шағын ферма және «Гидропоника негіздері» курсына орын.",
            "The 12-plant home farm and a seat in the “Hydroponics basics” course.",
        ),
        "contents": (
            "Гидропонная мини-ферма\nМесто в выбранной группе курса\nТаблица питания растений",
            "Гидропоникалық шағын ферма\nТаңдалған курс тобында орын\nӨсімдік қорегінің кестесі",
            "Hydroponic home farm\nA seat in the course cohort of your choice\nNutrient chart",
        ),
    },
    {
        "slug": "coconut-substrate-refill", "category": "refills", "price": 1900, "stock": 60, "days": None,
        "name": ("Кокосовый субстрат, 5 л", "Кокос субстраты, 5 л", "Coconut substrate, 5 l"),
        "description": ("Брикет, который разбухает в воде до 5 литров.", "Суда 5 литрге дейін ісінетін брикет.",
                        "A brick that swells to 5 litres in water."),
        "contents": ("Брикет кокосового субстрата", "Кокос субстратының брикеті", "Coconut substrate brick"),
    },
    {
        "slug": "herb-seed-mix", "category": "refills", "price": 2500, "stock": 45, "days": None,
        "name": ("Семена пряных трав, набор", "Дәмдеуіш шөп тұқымдары, жинақ", "Herb seed mix"),
        "description": ("Пять пакетиков: базилик, мята, кинза, укроп, петрушка.",
                        "Бес пакет: райхан, жалбыз, кинза, аскөк, ақжелкен.",
                        "Five packets: basil, mint, cilantro, dill and parsley."),
        "contents": ("5 пакетиков семян", "5 пакет тұқым", "5 seed packets"),
    },
    {
        "slug": "microgreens-seed-pack", "category": "refills", "price": 2900, "stock": 40, "days": None,
        "name": ("Семена для микрозелени, 500 г", "Микрожасылдарға арналған тұқым, 500 г", "Microgreens seeds, 500 g"),
        "description": ("Редис, горох, подсолнечник — на 8 посевов.", "Шалғам, бұршақ, күнбағыс — 8 егіске.",
                        "Radish, pea and sunflower — enough for 8 sowings."),
        "contents": ("3 пакета семян", "3 пакет тұқым", "3 seed packs"),
    },
    {
        "slug": "nutrient-solution", "category": "refills", "price": 4500, "stock": 2, "days": None,
        "name": ("Питательный раствор A+B, 1 л", "A+B қоректік ерітіндісі, 1 л", "Nutrient solution A+B, 1 l"),
        "description": ("Минеральное питание для гидропоники на 3 месяца.", "Гидропоникаға 3 айлық минералды қорек.",
                        "Mineral feed for hydroponics, enough for 3 months."),
        "contents": ("Флакон A 500 мл\nФлакон B 500 мл\nМерный стаканчик", "A құтысы 500 мл\nB құтысы 500 мл\nӨлшегіш стақан",
                     "Bottle A 500 ml\nBottle B 500 ml\nMeasuring cup"),
    },
    {
        "slug": "linen-mats-10", "category": "refills", "price": 2200, "stock": 0, "days": None,
        "name": ("Льняные коврики, 10 шт.", "Зығыр төсеніштер, 10 дана", "Linen mats, 10 pcs"),
        "description": ("Коврики для микрозелени под наши лотки.", "Біздің науаларға арналған микрожасыл төсеніштері.",
                        "Microgreens mats cut for our trays."),
        "contents": ("10 льняных ковриков", "10 зығыр төсеніш", "10 linen mats"),
    },
    {
        "slug": "beekeeping-starter-kit", "category": "beekeeping", "price": 89000, "stock": 4, "days": None,
        "course": "beekeeping-for-beginners",
        "name": ("Стартовый набор пчеловода + курс", "Ара өсірушінің бастапқы жинағы + курс", "Beekeeping starter kit + course"),
        "description": (
            "Улей-лежак, рамки и инструмент, и место на курсе «Пчеловодство для начинающих».",
            "Жатқызба омарта, жақтаулар мен құрал және «Бастаушыларға арналған ара шаруашылығы» курсына орын.",
            "A horizontal hive, frames and tools, and a seat in the “Beekeeping for beginners” course.",
        ),
        "contents": (
            "Улей-лежак на 20 рамок\n10 рамок с вощиной\nДымарь\nСтамеска пасечная\nМесто на курсе",
            "20 жақтауға арналған жатқызба омарта\nБалауыз негізі бар 10 жақтау\nТүтіндеткіш\nОмарта қашауы\nКурста орын",
            "20-frame horizontal hive\n10 frames with foundation\nSmoker\nHive tool\nA seat in the course",
        ),
    },
    {
        "slug": "beekeeper-protective-set", "category": "beekeeping", "price": 25000, "stock": 8, "days": None,
        "name": ("Защитный комплект пчеловода", "Ара өсірушінің қорғаныс жинағы", "Beekeeper protective set"),
        "description": ("Куртка с маской и перчатки из кожи.", "Бетпердесі бар күрте және былғары қолғап.",
                        "A jacket with veil and leather gloves."),
        "contents": ("Куртка с маской\nПерчатки", "Бетпердесі бар күрте\nҚолғап", "Jacket with veil\nGloves"),
    },
    {
        "slug": "vermicompost-starter-kit", "category": "vermicompost", "price": 19900, "stock": 7, "days": None,
        "course": "vermiculture-basics",
        "name": ("Вермикомпостер + курс", "Вермикомпостер + курс", "Vermicomposter + course"),
        "description": (
            "Трёхъярусный вермикомпостер, 500 червей и место на курсе «Основы вермикультуры».",
            "Үш қабатты вермикомпостер, 500 құрт және «Вермикультура негіздері» курсына орын.",
            "A three-tier vermicomposter, 500 worms and a seat in the “Vermiculture basics” course.",
        ),
        "contents": (
            "Вермикомпостер на 3 яруса\n500 красных калифорнийских червей\nКокосовая подстилка\nМесто на курсе",
            "3 қабатты вермикомпостер\n500 қызыл калифорния құрты\nКокос төсемі\nКурста орын",
            "Three-tier vermicomposter\n500 red Californian worms\nCoconut bedding\nA seat in the course",
        ),
    },
    {
        "slug": "red-worms-1000", "category": "vermicompost", "price": 9900, "stock": 12, "days": None,
        "name": ("Красные черви, 1000 шт.", "Қызыл құрттар, 1000 дана", "Red worms, 1000"),
        "description": ("Калифорнийские черви для запуска или пополнения компостера.",
                        "Компостерді іске қосуға немесе толықтыруға арналған калифорния құрттары.",
                        "Californian worms to start or top up a composter."),
        "contents": ("1000 червей в субстрате", "Субстраттағы 1000 құрт", "1000 worms in substrate"),
    },
]

COURSES = [
    {
        "slug": "microgreens-at-home", "topic": "microgreens", "price": 19900, "capacity": (12, 16, 20),
        "title": ("Микрозелень дома", "Үйдегі микрожасылдар", "Microgreens at home"),
        "summary": (
            "Четыре онлайн-занятия: семена, субстраты, свет, сбор и продажа урожая.",
            "Төрт онлайн-сабақ: тұқымдар, субстраттар, жарық, өнімді жинау және сату.",
            "Four online lessons: seeds, substrates, light, harvesting and selling your crop.",
        ),
    },
    {
        "slug": "hydroponics-basics", "topic": "hydroponics", "price": 34900, "capacity": (8, 12),
        "title": ("Основы гидропоники", "Гидропоника негіздері", "Hydroponics basics"),
        "summary": (
            "Системы DWC и NFT, питательные растворы, pH и EC — с практикой на своей ферме.",
            "DWC және NFT жүйелері, қоректік ерітінділер, pH және EC — өз фермаңызда тәжірибемен.",
            "DWC and NFT systems, nutrient solutions, pH and EC — with practice on your own farm.",
        ),
    },
    {
        "slug": "spicy-herbs-on-the-windowsill", "topic": "herbs", "price": 14900, "capacity": (15, 20),
        "title": ("Пряные травы на подоконнике", "Терезе алдындағы дәмдеуіш шөптер", "Spicy herbs on the windowsill"),
        "summary": (
            "Базилик, мята, кинза круглый год: посев, свет, прищипка и сбор.",
            "Жыл бойы райхан, жалбыз, кинза: егу, жарық, ұшын шымшу және жинау.",
            "Basil, mint and cilantro all year round: sowing, light, pinching and harvest.",
        ),
    },
    {
        "slug": "beekeeping-for-beginners", "topic": "beekeeping", "price": 45000, "capacity": (8, 10),
        "in_person": True,
        "title": ("Пчеловодство для начинающих", "Бастаушыларға арналған ара шаруашылығы", "Beekeeping for beginners"),
        "summary": (
            "Мастер-классы на пасеке фермы: устройство улья, осмотр семьи, сбор мёда.",
            "Ферма омартасындағы шеберлік сабақтары: омарта құрылысы, ара ұясын тексеру, бал жинау.",
            "Master classes at the farm's apiary: the hive, inspecting a colony, taking honey.",
        ),
    },
    {
        "slug": "vermiculture-basics", "topic": "vermiculture", "price": 12900, "capacity": (10, 15, 18),
        "title": ("Основы вермикультуры", "Вермикультура негіздері", "Vermiculture basics"),
        "summary": (
            "Как превратить кухонные отходы в биогумус с помощью червей.",
            "Ас үй қалдықтарын құрттардың көмегімен биогумусқа қалай айналдыруға болады.",
            "How worms turn kitchen scraps into rich vermicompost.",
        ),
    },
]

VENUE = "Городская ферма, ул. Жандосова 58, Алматы"

# What each demo course's page says before purchase (ru, kk, en): the programme one session a line, the teacher,
# how online lessons run, where in-person cohorts meet (the area; the address comes with the booking), the
# refund terms, and whether recordings are kept.
_REFUND_TERMS = (
    "Полный возврат — не позднее чем за 3 дня до первого занятия. Позже — один раз бесплатно переносим место на "
    "другой поток. После начала первого занятия деньги за курс не возвращаются. Если поток отменили мы — полный "
    "возврат.",
    "Алғашқы сабаққа дейін кемінде 3 күн қалғанда — толық қайтару. Одан кейін — орынды басқа ағынға бір рет тегін "
    "ауыстырамыз. Алғашқы сабақ басталғаннан кейін курстың ақшасы қайтарылмайды. Ағынды біз болдырмасақ — толық "
    "қайтару.",
    "Full refund up to 3 days before the first lesson. After that, we move your seat to another cohort once, free "
    "of charge. Once the first lesson has started, the course is not refunded. If we cancel the cohort, you get a "
    "full refund.",
)
_ONLINE_FORMAT = (
    "Занятия идут вживую в Zoom по 90 минут: показ, затем вопросы. Ссылка на занятие приходит в личный кабинет "
    "ученика; нужен только телефон или ноутбук.",
    "Сабақтар Zoom-да тікелей эфирде 90 минуттан өтеді: алдымен көрсетілім, содан кейін сұрақтар. Сабаққа сілтеме "
    "оқушының жеке кабинетіне келеді; тек телефон немесе ноутбук керек.",
    "Lessons run live on Zoom for 90 minutes: a demonstration, then questions. The join link appears in your "
    "learner's area; a phone or a laptop is all you need.",
)
COURSE_PAGES = {
    "microgreens-at-home": {
        "programme": (
            "Семена и субстраты: что выбрать\nПосев, замачивание и свет\nУход и первый урожай\nСбор, хранение и продажа",
            "Тұқымдар мен субстраттар: нені таңдау керек\nЕгу, суға салу және жарық\nКүтім және алғашқы өнім\n"
            "Жинау, сақтау және сату",
            "Seeds and substrates: what to choose\nSowing, soaking and light\nCare and the first harvest\n"
            "Harvesting, storing and selling",
        ),
        "teacher": (
            "Айгерим Сейткали — агроном фермы, восемь лет выращивает микрозелень для ресторанов Алматы.",
            "Әйгерім Сейтқали — ферма агрономы, сегіз жыл бойы Алматы мейрамханаларына микрожасылдар өсіреді.",
            "Aigerim Seitkali, the farm's agronomist, has grown microgreens for Almaty restaurants for eight years.",
        ),
        "online_format": _ONLINE_FORMAT, "recordings": True,
    },
    "hydroponics-basics": {
        "programme": (
            "Как устроены DWC и NFT\nПитательный раствор: состав и смена\npH и EC: измерение и поправка\n"
            "Разбор ваших ферм и типичных ошибок",
            "DWC және NFT қалай жұмыс істейді\nҚоректік ерітінді: құрамы және ауыстыру\npH және EC: өлшеу және түзету\n"
            "Сіздің фермаларыңызды және жиі қателерді талдау",
            "How DWC and NFT work\nThe nutrient solution: recipe and changes\npH and EC: measuring and correcting\n"
            "Your farms reviewed, and the usual mistakes",
        ),
        "teacher": (
            "Данияр Омаров — инженер-гидропонщик, построил теплицы фермы.",
            "Данияр Омаров — гидропоника инженері, ферманың жылыжайларын салған.",
            "Daniyar Omarov, a hydroponics engineer who built the farm's greenhouses.",
        ),
        "online_format": _ONLINE_FORMAT, "recordings": True,
    },
    "spicy-herbs-on-the-windowsill": {
        "programme": (
            "Какие травы растут на подоконнике\nПосев и досветка\nПрищипка и подкормка\nСбор и сушка",
            "Терезе алдында қандай шөптер өседі\nЕгу және қосымша жарық\nҰшын шымшу және қоректендіру\nЖинау және кептіру",
            "Which herbs grow on a windowsill\nSowing and grow lights\nPinching and feeding\nHarvesting and drying",
        ),
        "teacher": (
            "Сауле Жумабаева — агроном фермы, ведёт курсы для начинающих.",
            "Сәуле Жұмабаева — ферма агрономы, бастаушыларға курс жүргізеді.",
            "Saule Zhumabayeva, the farm's agronomist, teaches the beginners' courses.",
        ),
        "online_format": _ONLINE_FORMAT, "recordings": False,
    },
    "beekeeping-for-beginners": {
        "programme": (
            "Устройство улья и инвентарь\nОсмотр пчелиной семьи\nБолезни и профилактика\nОткачка мёда",
            "Омарта құрылысы және құрал-жабдық\nАра ұясын тексеру\nАурулар және алдын алу\nБал айдау",
            "The hive and the tools\nInspecting a colony\nDiseases and prevention\nExtracting honey",
        ),
        "teacher": (
            "Ерлан Касымов — пчеловод с двадцатилетним стажем, смотритель пасеки фермы.",
            "Ерлан Қасымов — жиырма жылдық тәжірибесі бар омарташы, ферма омартасын күтеді.",
            "Yerlan Kassymov, a beekeeper of twenty years who keeps the farm's apiary.",
        ),
        "venue_area": (
            "Бостандыкском районе Алматы, на пасеке фермы",
            "Алматының Бостандық ауданында, ферма омартасында",
            "Almaty's Bostandyk district, at the farm's apiary",
        ),
        "online_format": ("", "", ""), "recordings": False,
    },
    "vermiculture-basics": {
        "programme": (
            "Черви и вермикомпостер\nКорм и влажность\nСбор биогумуса\nБиогумус для рассады и продажи",
            "Құрттар және вермикомпостер\nҚорек және ылғалдылық\nБиогумусты жинау\nКөшет пен сатуға арналған биогумус",
            "Worms and the vermicomposter\nFeeding and moisture\nHarvesting vermicompost\n"
            "Vermicompost for seedlings and for sale",
        ),
        "teacher": (
            "Марина Ли — почвовед, отвечает на ферме за компост.",
            "Марина Ли — топырақтанушы, фермада компостқа жауапты.",
            "Marina Li, a soil scientist in charge of the farm's compost.",
        ),
        "online_format": _ONLINE_FORMAT, "recordings": True,
    },
}
for _slug, _page in COURSE_PAGES.items():
    _page.setdefault("refund_terms", _REFUND_TERMS)
    _page.setdefault("venue_area", ("", "", ""))

# A kit with a course and the same kit sold alone, so its page says what the bundle saves
KIT_ALONE = {
    "spicy-herbs-kit-with-course": "spicy-herbs-trio",
    "microgreens-kit-with-course": "microgreens-starter-kit",
    "hydroponic-kit-with-course": "hydroponic-home-farm",
}
