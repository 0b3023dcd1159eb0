"""The demo shop's details and the texts of its information pages, in Russian, Kazakh and English.

Texts are the shop's own, for a small farm in Almaty; staff replace them in the staff area (each save a new
version). Page bodies are the staff's rich text: paragraphs separated by an empty line, a few tags.
"""

SHOP_DETAILS = {
    "legal_name_ru": "ТОО «Городская ферма»",
    "legal_name_kk": "«Қалалық ферма» ЖШС",
    "legal_name_en": "City Farm LLP",
    "bin_iin": "210540019876",
    "legal_address_ru": "050057, г. Алматы, Бостандыкский район, ул. Жандосова, 58, офис 12",
    "legal_address_kk": "050057, Алматы қ., Бостандық ауданы, Жандосов көшесі, 58, 12-кеңсе",
    "legal_address_en": "Office 12, 58 Zhandosov Street, Bostandyk District, Almaty 050057, Kazakhstan",
    "pickup_address_ru": "г. Алматы, ул. Жандосова, 58, вход со двора, теплица № 2",
    "pickup_address_kk": "Алматы қ., Жандосов көшесі, 58, аула жақтан кіру, № 2 жылыжай",
    "pickup_address_en": "58 Zhandosov Street, Almaty: entrance from the yard, greenhouse no. 2",
    "pickup_hours_ru": "Вт–Сб 10:00–19:00, Вс 11:00–16:00, Пн — выходной",
    "pickup_hours_kk": "Сс–Сн 10:00–19:00, Жс 11:00–16:00, Дс — демалыс",
    "pickup_hours_en": "Tue–Sat 10:00–19:00, Sun 11:00–16:00, closed on Mondays",
    "phone": "+7 701 355 12 48",
    "whatsapp_url": "https://wa.me/77013551248",
    "telegram_url": "https://t.me/cityfarm_almaty",
    "email": "hello@cityfarm.kz",
    "map_url": "https://2gis.kz/almaty/search/%D0%96%D0%B0%D0%BD%D0%B4%D0%BE%D1%81%D0%BE%D0%B2%D0%B0%2058",
}

OFFER = (
    """<h2>1. Общие положения</h2>
Этот документ — публичная оферта ТОО «Городская ферма» (далее — Продавец) любому дееспособному лицу (далее — Покупатель) заключить договор купли-продажи товаров и оказания образовательных услуг на условиях ниже. Реквизиты Продавца указаны на странице «Контакты».

Договор заключён (оферта принята), когда Покупатель оформил заказ на сайте, отметив согласие с офертой, и оплатил его. Действует версия оферты, опубликованная на сайте в момент заказа; номер версии сохраняется в заказе.

<h2>2. Предмет договора</h2>
Продавец продаёт наборы для выращивания растений дома (пряные травы, томаты, микрозелень, гидропоника, пчеловодство, вермикомпост), расходные материалы к ним и места на онлайн-курсах и занятиях на ферме, которые проходят группами (потоками) в объявленные даты.

<h2>3. Заказ и оплата</h2>
Цены указаны на сайте в тенге и фиксируются в момент оформления заказа; стоимость доставки добавляется по выбранному способу. Оплата — банковской картой через TipTop Pay или счётом в приложении Kaspi.kz. Пока заказ ожидает оплаты, наборы и места на курсе закреплены за Покупателем на указанное на сайте время; неоплаченный заказ отменяется автоматически. Фискальный чек приходит на e-mail.

<h2>4. Передача товара</h2>
Товар передаётся самовывозом с фермы, курьером по Алматы или Казпочтой по Казахстану в сроки, указанные на странице «Доставка и оплата». Если набор пришёл повреждённым или неполным, напишите нам с фотографией — заменим его или вернём деньги.

<h2>5. Онлайн-курсы</h2>
Место на курсе даёт право участвовать во всех занятиях выбранного потока. Ссылка на занятия, расписание и материалы доступны в разделе «Мои курсы» и приходят на e-mail; передавать ссылку другим лицам нельзя. Время занятий указано по Алматы. Если Продавец переносит или отменяет поток, участник выбирает новые даты или полный возврат денег.

<h2>6. Возврат</h2>
Условия возврата наборов и мест на курсах — на странице «Возврат и обмен».

<h2>7. Ответственность</h2>
Продавец отвечает за качество и комплектность наборов. Урожай зависит и от условий выращивания (свет, температура, полив); советы даны в инструкции к набору и на курсах. Стороны не отвечают за неисполнение обязательств из-за обстоятельств непреодолимой силы.

<h2>8. Персональные данные</h2>
Оформляя заказ, Покупатель соглашается на сбор и обработку своих персональных данных на условиях Политики конфиденциальности.

<h2>9. Споры</h2>
Споры решаются переговорами. Претензии принимаются по e-mail Продавца и рассматриваются в течение 10 календарных дней. Если договориться не удалось, спор решает суд по законодательству Республики Казахстан.""",
    """<h2>1. Жалпы ережелер</h2>
Бұл құжат — «Қалалық ферма» ЖШС-нің (бұдан әрі — Сатушы) кез келген әрекетке қабілетті тұлғаға (бұдан әрі — Сатып алушы) төмендегі шарттармен тауарларды сатып алу-сату және білім беру қызметтерін көрсету шартын жасасу туралы жария офертасы. Сатушының деректемелері «Байланыс» бетінде көрсетілген.

Сатып алушы сайтта офертамен келісетінін белгілеп тапсырыс ресімдеп, оны төлеген кезде шарт жасалды (оферта қабылданды) деп саналады. Тапсырыс сәтінде сайтта жарияланған оферта нұсқасы қолданылады; нұсқаның нөмірі тапсырыста сақталады.

<h2>2. Шарттың мәні</h2>
Сатушы үйде өсімдік өсіруге арналған жинақтарды (дәмдеуіш шөптер, қызанақтар, микрожасылдар, гидропоника, ара шаруашылығы, вермикомпост), оларға арналған шығын материалдарын, сондай-ақ жарияланған күндері топпен (ағынмен) өтетін онлайн курстар мен фермадағы сабақтардағы орындарды сатады.

<h2>3. Тапсырыс және төлем</h2>
Бағалар сайтта теңгемен көрсетіледі және тапсырыс ресімделген сәтте бекітіледі; жеткізу құны таңдалған тәсілге қарай қосылады. Төлем — TipTop Pay арқылы банк картасымен немесе Kaspi.kz қосымшасындағы шотпен. Тапсырыс төлемді күтіп тұрғанда жинақтар мен курстағы орындар сайтта көрсетілген уақытқа Сатып алушыға бекітіледі; төленбеген тапсырыс өздігінен жойылады. Фискалдық чек e-mail-ге келеді.

<h2>4. Тауарды беру</h2>
Тауар «Жеткізу және төлем» бетінде көрсетілген мерзімде фермадан өзі алып кету, Алматы бойынша курьер немесе Қазақстан бойынша Қазпошта арқылы беріледі. Жинақ зақымдалған немесе толық емес күйде келсе, суретін жіберіп жазыңыз — ауыстырып береміз немесе ақшасын қайтарамыз.

<h2>5. Онлайн курстар</h2>
Курстағы орын таңдалған ағынның барлық сабағына қатысу құқығын береді. Сабақ сілтемесі, кестесі мен материалдары «Менің курстарым» бөлімінде қолжетімді және e-mail-ге келеді; сілтемені басқа адамдарға беруге болмайды. Сабақ уақыты Алматы уақытымен көрсетілген. Сатушы ағынды ауыстырса немесе болдырмаса, қатысушы жаңа күндерді немесе ақшаны толық қайтаруды таңдайды.

<h2>6. Қайтару</h2>
Жинақтар мен курстағы орындарды қайтару шарттары «Қайтару және ақшаны қайтару» бетінде.

<h2>7. Жауапкершілік</h2>
Сатушы жинақтардың сапасы мен жиынтықтылығына жауап береді. Өнім өсіру жағдайларына да (жарық, температура, суару) байланысты; кеңестер жинақтың нұсқаулығында және курстарда берілген. Еңсерілмейтін күш мән-жайлары салдарынан міндеттемелер орындалмаса, тараптар жауап бермейді.

<h2>8. Дербес деректер</h2>
Тапсырыс ресімдей отырып, Сатып алушы Құпиялылық саясатының шарттарымен өз дербес деректерін жинауға және өңдеуге келісім береді.

<h2>9. Дауларды шешу</h2>
Даулар келіссөз арқылы шешіледі. Наразылықтар Сатушының e-mail-і арқылы қабылданып, 10 күнтізбелік күн ішінде қаралады. Келісімге келу мүмкін болмаса, дауды Қазақстан Республикасының заңнамасы бойынша сот шешеді.""",
    """<h2>1. General</h2>
This document is a public offer by City Farm LLP (the Seller) to any person with legal capacity (the Buyer) to conclude a contract for the sale of goods and the provision of educational services on the terms below. The Seller's details are on the Contacts page.

The contract is concluded (the offer accepted) when the Buyer places an order on the website, ticking the acceptance of this offer, and pays for it. The version of the offer published on the website at the time of the order applies; its version number is kept with the order.

<h2>2. Subject</h2>
The Seller sells kits for growing plants at home (spicy herbs, tomatoes, microgreens, hydroponics, beekeeping, vermicompost), refills for them, and seats in online courses and classes at the farm, held in groups (cohorts) on announced dates.

<h2>3. Orders and payment</h2>
Prices are shown in tenge and fixed when the order is placed; the delivery fee of the chosen method is added. Payment is by bank card through TipTop Pay or by an invoice in the Kaspi.kz app. While an order awaits payment, its kits and course seats are held for the Buyer for the time shown on the website; an unpaid order is cancelled automatically. The fiscal receipt is sent by e-mail.

<h2>4. Handing over</h2>
Goods are collected at the farm, delivered by courier in Almaty or sent by KazPost across Kazakhstan within the times on the Delivery and payment page. If a kit arrives damaged or incomplete, write to us with a photo: we will replace it or refund it.

<h2>5. Online courses</h2>
A seat gives the right to attend every session of the chosen cohort. The link to the sessions, the schedule and the materials are in My courses and are sent by e-mail; the link may not be passed on to others. Session times are Almaty time. If the Seller moves or cancels a cohort, the learner chooses the new dates or a full refund.

<h2>6. Returns</h2>
Returns of kits and course seats follow the Returns and refunds page.

<h2>7. Liability</h2>
The Seller is responsible for the quality and completeness of the kits. A harvest also depends on growing conditions (light, temperature, watering); advice is given in each kit's instructions and in the courses. Neither party is liable for failing its obligations because of force majeure.

<h2>8. Personal data</h2>
By placing an order, the Buyer consents to the collection and processing of their personal data under the Privacy policy.

<h2>9. Disputes</h2>
Disputes are settled by negotiation. Claims are accepted at the Seller's e-mail and answered within 10 calendar days. Failing agreement, a dispute is decided by a court under the law of the Republic of Kazakhstan.""",
)

PRIVACY = (
    """<h2>1. Кто обрабатывает данные</h2>
Оператор персональных данных — ТОО «Городская ферма» (реквизиты на странице «Контакты»). Мы собираем и обрабатываем персональные данные в соответствии с Законом Республики Казахстан от 21 мая 2013 года № 94-V «О персональных данных и их защите».

<h2>2. Какие данные мы собираем</h2>
<ul>
<li>имя, e-mail и телефон — при заказе, регистрации и записи в лист ожидания курса;</li>
<li>адрес доставки — для курьера и Казпочты;</li>
<li>историю заказов, платежей и участия в курсах;</li>
<li>IP-адрес и технические журналы — чтобы защищать магазин от злоупотреблений.</li>
</ul>
Данные банковской карты вы вводите на странице платёжного сервиса TipTop Pay; магазин их не получает и не хранит.

<h2>3. Зачем</h2>
Чтобы принять, оплатить и доставить заказ, записать на курс и прислать ссылки на занятия, ответить на ваши вопросы, выдать фискальный чек и вести бухгалтерский учёт. Рекламные рассылки без отдельного согласия мы не отправляем. Сайт не использует сторонние счётчики и рекламные cookie — только технические cookie корзины, выбранного языка и входа в кабинет.

<h2>4. Кому мы передаём данные</h2>
Только тем, без кого заказ не выполнить: платёжным сервисам TipTop Pay и Kaspi.kz — сумму и контакты для оплаты; курьеру и АО «Казпочта» — имя, телефон и адрес; оператору фискальных данных — сведения о покупке для чека. Мы не продаём данные и не передаём их для рекламы.

<h2>5. Где и сколько мы храним данные</h2>
Базы с персональными данными находятся на серверах в Республике Казахстан. Мы храним данные, пока у вас есть аккаунт или незавершённый заказ, а документы об оплате — столько, сколько требует налоговое законодательство; затем удаляем или обезличиваем их.

<h2>6. Ваши права</h2>
Вы можете узнать, какие ваши данные у нас есть, исправить их, отозвать согласие и попросить удалить данные — напишите на e-mail со страницы «Контакты». Отзыв согласия не касается данных, которые мы обязаны хранить по закону, например сведений об оплаченных заказах.

<h2>7. Согласие и новые версии</h2>
Согласие даётся отметкой в форме заказа или регистрации; мы сохраняем дату и номер версии этой политики. Новая версия публикуется на этой странице и действует для заказов и регистраций после её публикации.""",
    """<h2>1. Деректерді кім өңдейді</h2>
Дербес деректер операторы — «Қалалық ферма» ЖШС (деректемелері «Байланыс» бетінде). Біз дербес деректерді «Дербес деректер және оларды қорғау туралы» 2013 жылғы 21 мамырдағы № 94-V Қазақстан Республикасының Заңына сәйкес жинаймыз және өңдейміз.

<h2>2. Қандай деректер жинаймыз</h2>
<ul>
<li>аты-жөні, e-mail және телефон — тапсырыс бергенде, тіркелгенде және курстың күту тізіміне жазылғанда;</li>
<li>жеткізу мекенжайы — курьер мен Қазпошта үшін;</li>
<li>тапсырыстар, төлемдер және курстарға қатысу тарихы;</li>
<li>IP-мекенжай мен техникалық журналдар — дүкенді теріс пайдаланудан қорғау үшін.</li>
</ul>
Банк картасының деректерін TipTop Pay төлем қызметінің бетінде енгізесіз; дүкен оларды алмайды және сақтамайды.

<h2>3. Не үшін</h2>
Тапсырысты қабылдау, төлеу және жеткізу, курсқа жазу және сабақ сілтемелерін жіберу, сұрақтарыңызға жауап беру, фискалдық чек беру және бухгалтерлік есеп жүргізу үшін. Жеке келісімсіз жарнамалық хат жібермейміз. Сайт бөгде есептегіштер мен жарнамалық cookie қолданбайды — тек себеттің, таңдалған тілдің және кабинетке кірудің техникалық cookie-лері.

<h2>4. Деректерді кімге береміз</h2>
Тек тапсырысты орындау үшін қажет тараптарға: TipTop Pay және Kaspi.kz төлем қызметтеріне — төлем сомасы мен байланыс деректері; курьерге және «Қазпошта» АҚ-ға — аты-жөні, телефон және мекенжай; фискалдық деректер операторына — чекке арналған сатып алу мәліметтері. Деректерді сатпаймыз және жарнама үшін бермейміз.

<h2>5. Деректерді қайда және қанша уақыт сақтаймыз</h2>
Дербес деректер базалары Қазақстан Республикасындағы серверлерде орналасқан. Деректерді аккаунтыңыз немесе аяқталмаған тапсырысыңыз болғанша, ал төлем құжаттарын салық заңнамасы талап ететін мерзімде сақтаймыз; кейін оларды жоямыз немесе иесіздендіреміз.

<h2>6. Сіздің құқықтарыңыз</h2>
Бізде сіз туралы қандай деректер бар екенін біле аласыз, оларды түзете аласыз, келісіміңізді кері қайтарып, деректерді жоюды сұрай аласыз — «Байланыс» бетіндегі e-mail-ге жазыңыз. Келісімді кері қайтару заң бойынша сақтауға міндетті деректерге, мысалы төленген тапсырыстар туралы мәліметтерге, қатысты емес.

<h2>7. Келісім және жаңа нұсқалар</h2>
Келісім тапсырыс немесе тіркелу нысанында белгі қою арқылы беріледі; біз күнін және осы саясат нұсқасының нөмірін сақтаймыз. Жаңа нұсқа осы бетте жарияланады және жарияланғаннан кейінгі тапсырыстар мен тіркелулерге қолданылады.""",
    """<h2>1. Who processes your data</h2>
The operator of personal data is City Farm LLP (details on the Contacts page). We collect and process personal data under the Law of the Republic of Kazakhstan No. 94-V of 21 May 2013 "On Personal Data and Their Protection".

<h2>2. What we collect</h2>
<ul>
<li>name, e-mail and phone: when you order, register or join a course's waiting list;</li>
<li>delivery address: for the courier and KazPost;</li>
<li>the history of your orders, payments and courses;</li>
<li>IP address and technical logs: to protect the shop from abuse.</li>
</ul>
You enter your card details on the page of the payment service TipTop Pay; the shop never receives or keeps them.

<h2>3. Why</h2>
To take, charge and deliver your order, enrol you in a course and send the links to its sessions, answer your questions, issue fiscal receipts and keep the accounts. We send no advertising without a separate consent. The website uses no third-party counters or advertising cookies: only the technical cookies of the cart, your language and signing in.

<h2>4. Who we share it with</h2>
Only those without whom an order cannot be fulfilled: the payment services TipTop Pay and Kaspi.kz (the amount and contacts for the payment); the courier and KazPost JSC (name, phone and address); the fiscal data operator (what was bought, for the receipt). We do not sell data or share it for advertising.

<h2>5. Where and how long we keep it</h2>
Databases with personal data are on servers in the Republic of Kazakhstan. We keep data while you have an account or an unfinished order, and payment records as long as tax law requires; then we delete or anonymise them.

<h2>6. Your rights</h2>
You may learn what data we hold about you, correct it, withdraw your consent and ask us to delete it: write to the e-mail on the Contacts page. Withdrawing consent does not cover data the law obliges us to keep, such as records of paid orders.

<h2>7. Consent and new versions</h2>
You give consent by ticking the box on the order or registration form; we keep the date and the version number of this policy. A new version is published on this page and applies to orders and registrations made after it is published.""",
)

DELIVERY_AND_PAYMENT = (
    """<h2>Доставка</h2>
<ul>
<li><strong>Самовывоз с фермы</strong> — бесплатно. Заказ собираем к следующему рабочему дню и пишем на e-mail, когда он готов. Адрес и часы — на странице «Контакты»; заказ ждёт вас 7 дней.</li>
<li><strong>Курьер по Алматы</strong> — 1 500 ₸, за 1–2 рабочих дня, в пределах города. Курьер звонит перед приездом.</li>
<li><strong>Казпочта по Казахстану</strong> — 2 500 ₸, за 3–10 рабочих дней, до отделения по вашему адресу. Трек-номер придёт на e-mail, как только мы отправим посылку.</li>
</ul>
Заказы собираем и отправляем со вторника по субботу. Семена и субстрат упакованы так, чтобы выдержать дорогу в любое время года; зимой наборы с жидкими удобрениями отправляем в утеплённой упаковке.

Места на онлайн-курсах не доставляются: ссылка на занятия, расписание и файл для календаря появляются в разделе «Мои курсы» и приходят на e-mail сразу после оплаты.

<h2>Оплата</h2>
<ul>
<li><strong>Банковская карта (TipTop Pay)</strong> — Visa и Mastercard на защищённой странице TipTop Pay с подтверждением 3-D Secure. Фискальный чек придёт на e-mail.</li>
<li><strong>Kaspi.kz</strong> — мы выставляем счёт в приложение Kaspi на номер телефона из заказа; оплатите его, пока мы держим заказ (2 часа). Неоплаченный заказ отменяется сам.</li>
</ul>
Сумма заказа — цены товаров на момент заказа плюс доставка выбранным способом. Пока вы оплачиваете, наборы и места на курсе закреплены за вами на 30 минут.""",
    """<h2>Жеткізу</h2>
<ul>
<li><strong>Фермадан өзі алып кету</strong> — тегін. Тапсырысты келесі жұмыс күніне жинаймыз және дайын болғанда e-mail-ге жазамыз. Мекенжай мен жұмыс уақыты — «Байланыс» бетінде; тапсырыс сізді 7 күн күтеді.</li>
<li><strong>Алматы бойынша курьер</strong> — 1 500 ₸, 1–2 жұмыс күні ішінде, қала шегінде. Курьер келер алдында қоңырау шалады.</li>
<li><strong>Қазақстан бойынша Қазпошта</strong> — 2 500 ₸, 3–10 жұмыс күні ішінде, мекенжайыңыздағы бөлімшеге дейін. Сәлемдемені жібергенде трек-нөмір e-mail-ге келеді.</li>
</ul>
Тапсырыстарды сейсенбіден сенбіге дейін жинаймыз және жібереміз. Тұқымдар мен субстрат жылдың кез келген мезгілінде жолға шыдайтындай етіп оралған; қыста сұйық тыңайтқышы бар жинақтарды жылы қаптамада жібереміз.

Онлайн курстардағы орындар жеткізілмейді: сабақ сілтемесі, кесте және күнтізбе файлы төлемнен кейін бірден «Менің курстарым» бөлімінде пайда болады және e-mail-ге келеді.

<h2>Төлем</h2>
<ul>
<li><strong>Банк картасы (TipTop Pay)</strong> — Visa және Mastercard, TipTop Pay-дің қорғалған бетінде 3-D Secure растауымен. Фискалдық чек e-mail-ге келеді.</li>
<li><strong>Kaspi.kz</strong> — тапсырыстағы телефон нөміріне Kaspi қосымшасына шот жібереміз; тапсырысты ұстап тұрған уақытта (2 сағат) төлеңіз. Төленбеген тапсырыс өздігінен жойылады.</li>
</ul>
Тапсырыс сомасы — тапсырыс сәтіндегі тауар бағалары қосу таңдалған тәсілмен жеткізу құны. Төлеп жатқан кезде жинақтар мен курстағы орындар сізге 30 минутқа бекітіледі.""",
    """<h2>Delivery</h2>
<ul>
<li><strong>Pickup at the farm</strong>: free. We pack your order by the next working day and e-mail you when it is ready. The address and hours are on the Contacts page; your order waits for you for 7 days.</li>
<li><strong>Courier in Almaty</strong>: 1 500 ₸, in 1–2 working days, within the city. The courier calls before coming.</li>
<li><strong>KazPost across Kazakhstan</strong>: 2 500 ₸, in 3–10 working days, to the post office of your address. The tracking number is e-mailed as soon as we send the parcel.</li>
</ul>
We pack and send orders from Tuesday to Saturday. Seeds and substrate are packed to travel in any season; in winter, kits with liquid fertiliser go in insulated packaging.

Seats in online courses are not delivered: the link to the sessions, the schedule and a calendar file appear in My courses and are e-mailed right after payment.

<h2>Payment</h2>
<ul>
<li><strong>Bank card (TipTop Pay)</strong>: Visa and Mastercard on TipTop Pay's secure page with 3-D Secure. The fiscal receipt is e-mailed to you.</li>
<li><strong>Kaspi.kz</strong>: we send an invoice to your Kaspi app for the phone number in your order; pay it while we hold your order (2 hours). An unpaid order is cancelled by itself.</li>
</ul>
The order's total is the prices of its items at the time of the order plus the delivery of the chosen method. While you pay, your kits and course seats are held for you for 30 minutes.""",
)

RETURNS = (
    """<h2>Наборы</h2>
Нераспакованный набор надлежащего качества можно вернуть в течение 14 календарных дней со дня получения: сохраните упаковку и номер заказа. Привезите набор на ферму или отправьте Казпочтой (пересылку обратно оплачивает покупатель) — деньги за набор вернём полностью.

Не принимаем обратно, если они надлежащего качества:
<ul>
<li>вскрытые пакеты семян и семенные смеси;</li>
<li>вскрытые субстрат, удобрения и питательный раствор;</li>
<li>живых червей для вермикомпоста и другие живые организмы.</li>
</ul>
Если набор пришёл повреждённым или неполным или семена не взошли, хотя вы следовали инструкции, напишите нам с фотографией в течение 30 дней: заменим набор или вернём деньги вместе с доставкой.

<h2>Места на курсах</h2>
<ul>
<li>Не позднее чем за 3 дня до первого занятия потока — полный возврат.</li>
<li>Позже — один раз бесплатно переносим место на другой поток того же курса.</li>
<li>После начала первого занятия деньги за курс не возвращаются.</li>
<li>Если мы отменили или перенесли поток, а новые даты вам не подходят, — полный возврат.</li>
</ul>
В наборе с курсом набор и место на курсе возвращаются каждый по своим правилам.

<h2>Как вернуть деньги</h2>
Напишите на e-mail или в WhatsApp номер заказа и причину возврата. Деньги возвращаются тем же способом, которым вы платили: на карту — обычно за 10 рабочих дней (срок зависит от банка), по Kaspi — в приложение Kaspi. На возвращённую сумму выдаётся чек возврата.""",
    """<h2>Жинақтар</h2>
Тиісті сападағы ашылмаған жинақты алған күннен бастап 14 күнтізбелік күн ішінде қайтаруға болады: қаптамасы мен тапсырыс нөмірін сақтаңыз. Жинақты фермаға әкеліңіз немесе Қазпоштамен жіберіңіз (кері жіберуді сатып алушы төлейді) — жинақтың ақшасын толық қайтарамыз.

Тиісті сападағы мына тауарлар қайтарылмайды:
<ul>
<li>ашылған тұқым пакеттері мен тұқым қоспалары;</li>
<li>ашылған субстрат, тыңайтқыштар мен қоректік ерітінді;</li>
<li>вермикомпостқа арналған тірі құрттар және басқа да тірі ағзалар.</li>
</ul>
Жинақ зақымдалған немесе толық емес күйде келсе, не нұсқаулықты сақтасаңыз да тұқым өнбесе, 30 күн ішінде суретін жіберіп жазыңыз: жинақты ауыстырамыз немесе ақшаны жеткізу құнымен бірге қайтарамыз.

<h2>Курстағы орындар</h2>
<ul>
<li>Ағынның алғашқы сабағына дейін кемінде 3 күн қалғанда — толық қайтару.</li>
<li>Одан кейін — орынды сол курстың басқа ағынына бір рет тегін ауыстырамыз.</li>
<li>Алғашқы сабақ басталғаннан кейін курстың ақшасы қайтарылмайды.</li>
<li>Ағынды біз болдырмасақ немесе ауыстырсақ, ал жаңа күндер сізге сай келмесе — толық қайтару.</li>
</ul>
Курсы бар жинақта жинақ пен курстағы орын әрқайсысы өз ережесімен қайтарылады.

<h2>Ақшаны қалай қайтаруға болады</h2>
E-mail-ге немесе WhatsApp-қа тапсырыс нөмірі мен қайтару себебін жазыңыз. Ақша сіз төлеген тәсілмен қайтарылады: картаға — әдетте 10 жұмыс күні ішінде (мерзімі банкке байланысты), Kaspi арқылы — Kaspi қосымшасына. Қайтарылған сомаға қайтару чегі беріледі.""",
    """<h2>Kits</h2>
An unopened kit of proper quality may be returned within 14 calendar days of receiving it: keep the packaging and the order number. Bring the kit to the farm or send it by KazPost (the buyer pays for sending it back), and we refund the kit in full.

We do not take back, when they are of proper quality:
<ul>
<li>opened seed packets and seed mixes;</li>
<li>opened substrate, fertilisers and nutrient solution;</li>
<li>live composting worms and other living organisms.</li>
</ul>
If a kit arrives damaged or incomplete, or its seeds did not sprout although you followed the instructions, write to us with a photo within 30 days: we replace the kit or refund it together with the delivery.

<h2>Course seats</h2>
<ul>
<li>Up to 3 days before a cohort's first session: a full refund.</li>
<li>Later: we move your seat to another cohort of the same course once, free of charge.</li>
<li>Once the first session has started, the course is not refunded.</li>
<li>If we cancel or move a cohort and the new dates do not suit you: a full refund.</li>
</ul>
In a kit that includes a course, the kit and the seat are returned each by its own rules.

<h2>How to get your money back</h2>
Write to us by e-mail or WhatsApp with the order number and the reason. The money goes back the way you paid: to your card, usually within 10 working days (it depends on your bank); by Kaspi, to your Kaspi app. A return receipt is issued for the amount refunded.""",
)

CONTACTS = (
    """Мы — небольшая городская ферма в Алматы: выращиваем зелень и микрозелень в теплицах, собираем наборы для дома и ведём курсы. Приезжайте за заказом или посмотреть теплицы в часы самовывоза.

<h2>Как с нами связаться</h2>
Быстрее всего — WhatsApp или Telegram: отвечаем ежедневно с 9:00 до 20:00. Об оптовых заказах и мастер-классах для школ и компаний пишите на e-mail.

<h2>Как нас найти</h2>
Вход со двора, ищите зелёную калитку и теплицу № 2. Во дворе можно ненадолго оставить машину; на улице Жандосова рядом есть остановки автобусов.""",
    """Біз — Алматыдағы шағын қалалық фермамыз: жылыжайларда көк пен микрожасыл өсіреміз, үйге арналған жинақтар құрастырамыз және курстар өткіземіз. Тапсырысыңызды алуға немесе жылыжайларды көруге өзі алып кету уақытында келіңіз.

<h2>Бізбен қалай байланысуға болады</h2>
Ең жылдамы — WhatsApp немесе Telegram: күн сайын 9:00-ден 20:00-ге дейін жауап береміз. Көтерме тапсырыстар, мектептер мен компанияларға арналған шеберлік сыныптары туралы e-mail-ге жазыңыз.

<h2>Бізді қалай табуға болады</h2>
Аула жақтан кіріңіз, жасыл қақпа мен № 2 жылыжайды іздеңіз. Аулада көлікті аз уақытқа қалдыруға болады; Жандосов көшесінде жақын жерде автобус аялдамалары бар.""",
    """We are a small urban farm in Almaty: we grow greens and microgreens in greenhouses, put together kits for the home and teach courses. Come for your order, or to see the greenhouses, during pickup hours.

<h2>How to reach us</h2>
WhatsApp or Telegram is quickest: we answer every day from 9:00 to 20:00. For wholesale orders and workshops for schools and companies, write to us by e-mail.

<h2>How to find us</h2>
Enter from the yard and look for the green gate and greenhouse no. 2. You can leave a car in the yard for a short while; there are bus stops nearby on Zhandosov Street.""",
)

PAGES = {
    "offer": {"title": ("Публичная оферта", "Жария оферта", "Public offer"), "body": OFFER},
    "privacy": {"title": ("Политика конфиденциальности", "Құпиялылық саясаты", "Privacy policy"), "body": PRIVACY},
    "delivery-and-payment": {"title": ("Доставка и оплата", "Жеткізу және төлем", "Delivery and payment"),
                             "body": DELIVERY_AND_PAYMENT},
    "returns": {"title": ("Возврат и обмен", "Қайтару және ақшаны қайтару", "Returns and refunds"), "body": RETURNS},
    "contacts": {"title": ("Контакты", "Байланыс", "Contacts"), "body": CONTACTS},
}
