// Package maturity is the CX maturity model: the eleven questions with their four levels, the six
// transformation blocks, the score (0..95) and the five stages. The assessment form (ingest/maturity), the
// read API and the Grafana plugin share it, so a company's stage is the same wherever it is shown.
package maturity

// The questionnaire and the stage descriptions, in the project's own words. Each question has four levels,
// from "nothing in place" (1) to "leading practice" (4).

// SurveyID is the survey name of assessment events.
const SurveyID = "cx-maturity"

// NumQuestions is the number of questions; each is answered with a level 1..NumLevels.
const NumQuestions = 11

// NumLevels is the number of levels of a question.
const NumLevels = 4

// Text is one string in both languages.
type Text struct{ RU, EN string }

// In is the text in lang ("ru" or anything else for English).
func (t Text) In(lang string) string {
	if lang == "ru" {
		return t.RU
	}
	return t.EN
}

// Question is one question and the text of each of its levels.
type Question struct {
	Title  Text
	Levels [4]Text
}

// Questions are the assessment's questions in order.
var Questions = [NumQuestions]Question{
	{Text{"Управление клиентским опытом", "Customer experience management"}, [4]Text{
		{"Ни стратегии, ни процессов пока нет.", "There is neither a strategy nor processes yet."},
		{"Стратегия есть, но живёт отдельно от маркетинга; проекты запускаются от случая к случаю, без карты пути клиента.", "A strategy exists but lives apart from marketing; projects start case by case, without a customer journey map."},
		{"Стратегия и процессы согласованы: точки контакта известны, и подразделения настроены работать в них по единым правилам.", "Strategy and processes are aligned: touchpoints are known and departments are set up to work in them by shared rules."},
		{"Стратегия встроена в маркетинг, продажи и сервис и учитывает сегменты и этап жизненного цикла клиента.", "The strategy is built into marketing, sales and service and accounts for segments and the customer's lifecycle stage."},
	}},
	{Text{"Позиция топ-менеджмента", "Top management's stance"}, [4]Text{
		{"Клиентский опыт считают второстепенной частью маркетинга.", "Customer experience is seen as a minor part of marketing."},
		{"Важность понимают и дают деньги на пилоты, если виден эффект на выручку.", "Its importance is understood; pilots get funded when the revenue effect is clear."},
		{"Клиентский опыт — главный фокус маркетинга; ресурсы выделены надолго, первые лица вовлечены.", "Customer experience is marketing's main focus; resources are committed long-term and senior leaders take part."},
		{"Вся коммерческая и сервисная работа строится вокруг требований к клиентскому опыту.", "All commercial and service work is organised around customer-experience requirements."},
	}},
	{Text{"Инструменты и платформы", "Tools and platforms"}, [4]Text{
		{"Отдельные инструменты: рассылки, немного контента и программы лояльности; персонализации и работы с сообществом нет.", "Isolated tools: e-mail, some content and loyalty schemes; no personalisation or community management."},
		{"Есть портреты клиентов и система для точек контакта, но они не связаны с процессами и другими системами.", "Customer personas and a touchpoint system exist but are not tied to processes or other systems."},
		{"Во всех точках контакта маркетинг согласован; профиль клиента пополняется при каждом контакте и позволяет таргетинг по поведению.", "Marketing is coordinated across touchpoints; each contact enriches a customer profile that drives behavioural targeting."},
		{"Системы интегрированы вокруг критериев качества опыта; каждый сотрудник в точке контакта получает данные в реальном времени.", "Systems are integrated around experience quality criteria; every employee at a touchpoint gets real-time data on demand."},
	}},
	{Text{"Приём обращений и заявок", "Handling requests and applications"}, [4]Text{
		{"Бумага и статичные PDF.", "Paper and static PDFs."},
		{"Заполняемые PDF и электронные формы, иногда электронная подпись.", "Fillable PDFs and web forms, sometimes an e-signature."},
		{"Шаблоны заполняются автоматически, электронная подпись применяется широко.", "Templates are pre-filled automatically and e-signatures are widely used."},
		{"Клиент сам выбирает формат и канал; версии документов отслеживаются.", "The customer picks the format and channel; document versions are tracked."},
	}},
	{Text{"Хранение клиентской информации", "Keeping customer information"}, [4]Text{
		{"Только на бумаге.", "On paper only."},
		{"В основном на бумаге.", "Mostly on paper."},
		{"Бумаги мало, но у каждого подразделения своя база клиентов.", "Little paper, but every department keeps its own customer database."},
		{"Данные едины и доступны по ролям; каждое движение данных фиксируется.", "Data is unified and available by role; every movement of data is logged."},
	}},
	{Text{"Каналы продаж и обслуживания", "Sales and service channels"}, [4]Text{
		{"Офлайн-точка и сайт с базовыми функциями.", "A physical point of sale and a basic website."},
		{"Обращения и простые операции онлайн, сайт удобен на телефоне.", "Requests and simple operations online; the site works well on phones."},
		{"Маркетинг, продажи и обслуживание в онлайне и мобильных каналах; офлайн нужен редко.", "Marketing, sales and service run online and on mobile; offline contact is rarely needed."},
		{"Всё взаимодействие цифровое; бумаги — курьером или через партнёров, как удобно клиенту.", "Everything is digital; paper goes by courier or through partners, as the customer prefers."},
	}},
	{Text{"Каналы коммуникации", "Communication channels"}, [4]Text{
		{"Телефон и электронная почта.", "Phone and e-mail."},
		{"CRM напоминает о событиях клиента, есть цифровой маркетинг и простое самообслуживание.", "The CRM reminds of customer events; there is digital marketing and simple self-service."},
		{"Единый многоканальный персональный диалог, в том числе в реальном времени и с видео.", "One personalised multichannel conversation, including real time and video on demand."},
		{"Работают ИИ-ассистенты, боты и настраиваемые цифровые помощники.", "AI agents, bots and configurable digital assistants are in use."},
	}},
	{Text{"Обработка документов", "Document processing"}, [4]Text{
		{"Вручную, по инструкциям.", "Manual, following instructions."},
		{"Электронный документооборот и согласования на портале.", "Electronic document flow and approvals on a portal."},
		{"Процессы стандартизированы и автоматизированы, вручную разбираются только исключения.", "Processes are standardised and automated; only exceptions are handled by hand."},
		{"Полная автоматизация с применением больших данных и ИИ.", "Fully automated, using big data and AI."},
	}},
	{Text{"Обмен клиентскими данными с партнёрами", "Sharing customer data with partners"}, [4]Text{
		{"Поиск по бумажным архивам.", "Searching paper archives."},
		{"Частичная интеграция: самые нужные данные передаются партнёрам онлайн.", "Partial integration: the most used data reaches partners online."},
		{"Партнёрский портал, часть совместных процессов автоматизирована, данные идут только по защищённым каналам.", "A partner portal, some joint processes automated, data travels only over secured channels."},
		{"Совместные процессы полностью автоматизированы, доступ контролируется, общие данные служат совместному планированию.", "Joint processes are fully automated, access is controlled and shared data feeds joint planning."},
	}},
	{Text{"Контроль соответствия и отчётность", "Compliance checks and reporting"}, [4]Text{
		{"Ручная проверка первичных документов и отчётов по запросу.", "Manual checks of source documents and reports on request."},
		{"Автоматическая проверка документов и простой аудит на настраиваемых отчётах.", "Automated document checks and simple audits on configurable reports."},
		{"Проверка на уровне записей в базе, движение данных прослеживается.", "Checks at database-record level; data lineage is traced."},
		{"Проактивные оповещения и блокировка рискованных операций; отчётность следует за новыми требованиями.", "Proactive alerts and blocking of risky operations; reporting follows new controls as they appear."},
	}},
	{Text{"Аналитика", "Analytics"}, [4]Text{
		{"Вручную, под конкретную задачу.", "Manual, one task at a time."},
		{"Описательная: что происходит с клиентами, процессами и рисками.", "Descriptive: what happens with customers, processes and risks."},
		{"Прогнозная: что, скорее всего, произойдёт.", "Predictive: what is likely to happen."},
		{"Рекомендательная: что делать, с готовыми наборами данных.", "Prescriptive: what to do, with ready data sets."},
	}},
}

// Blocks are the six areas a company transforms.
var Blocks = [6]Text{
	{"Стратегия и лидерство", "Strategy and leadership"},
	{"Процессы и управление", "Processes and management"},
	{"Метрики и оценка эффективности", "Metrics and performance"},
	{"Клиентские данные и аналитика", "Customer data and analytics"},
	{"Технологии", "Technology"},
	{"Люди", "People"},
}

// StageInfo is one stage: its name, its score range (both ends included) and what characterises it.
type StageInfo struct {
	Name    Text
	From    int
	To      int
	Summary Text
	Blocks  [6]Text // one characteristic per block
	Drivers []Text  // what moves the company to the next stage
}

// Stages are the five stages in order.
var Stages = [5]StageInfo{
	{Text{"Игнорирование", "Ignoring"}, 0, 19,
		Text{"Руководство пока не видит в сквозном клиентском опыте конкурентного преимущества. Деньги идут в отдельные функции — сервис, CRM, — а тему двигают одиночки-энтузиасты.",
			"Leadership does not yet see the end-to-end customer experience as a competitive edge. Money goes to single functions such as service or CRM, and a few enthusiasts push the topic on their own."},
		[6]Text{
			{"Лидеров изменений нет; стратегия нацелена на новых клиентов, а не на отношения с существующими.", "No one leads the change; the strategy chases new customers rather than relationships with existing ones."},
			{"Нет процесса поиска разрывов в опыте клиента; отдельные успехи не тиражируются.", "No process finds gaps in the customer's experience; isolated wins are not shared."},
			{"Клиентских метрик на повестке руководства нет; оценка сотрудников с ними не связана.", "No customer metric is on management's agenda; staff appraisal ignores them."},
			{"Исследований опыта почти нет, а собранные данные редко влияют на решения.", "Experience research is rare, and what is collected seldom shapes decisions."},
			{"Технологии устарели, каналов один-два, доступ к данным о клиентах затруднён.", "Technology is dated, there are one or two channels, and customer data is hard to reach."},
			{"Команды по клиентскому опыту нет, обучения нет, инструкция важнее клиента.", "There is no CX team and no training; following the rules matters more than the customer."},
		},
		[]Text{
			{"Начните с обучения — своего и руководителей.", "Start by educating yourself and the leadership."},
			{"Проведите ревизию уже собранных данных о клиентах.", "Review the customer data you already collect."},
			{"Выберите один-два источника обратной связи и слушайте их регулярно.", "Pick one or two feedback sources and listen to them regularly."},
			{"Покажите ценность быстрыми победами и делитесь ими с единомышленниками.", "Prove the value with quick wins and share them with supporters."},
		}},
	{Text{"Исследование", "Exploring"}, 20, 39,
		Text{"Компания пробует: появляются пилоты, первые опросы и первые метрики, но усилия разрознены и держатся на инициативе отдельных подразделений.",
			"The company experiments: pilots, first surveys and first metrics appear, but the efforts are scattered and depend on individual departments."},
		[6]Text{
			{"Есть спонсор в руководстве, но клиентский опыт ещё не часть бизнес-стратегии.", "There is a sponsor among the leaders, but CX is not yet part of the business strategy."},
			{"Карты пути клиента составлены для отдельных продуктов; межфункциональной координации мало.", "Journey maps exist for some products; cross-functional coordination is weak."},
			{"Измеряют NPS или CSAT в отдельных точках, без целевых значений.", "NPS or CSAT is measured at some touchpoints, without targets."},
			{"Обратная связь собирается, но хранится в разных местах и анализируется вручную.", "Feedback is collected but kept in different places and analysed by hand."},
			{"Появляются инструменты опросов и CRM, пока не связанные между собой.", "Survey tools and a CRM appear, not yet connected to each other."},
			{"Есть энтузиасты и первые тренинги, но нет выделенной роли.", "There are enthusiasts and first trainings, but no dedicated role."},
		},
		[]Text{
			{"Закрепите ответственного за клиентский опыт и спонсора в руководстве.", "Name an owner for customer experience and a sponsor in leadership."},
			{"Выберите одну-две сквозные метрики и поставьте по ним цели.", "Pick one or two end-to-end metrics and set targets for them."},
			{"Соберите обратную связь в одном месте и замкните цикл: ответ клиенту и исправление причины.", "Gather feedback in one place and close the loop: answer the customer and fix the cause."},
			{"Постройте карту пути клиента для главного сценария вместе со всеми подразделениями.", "Map the main customer journey together with every department involved."},
		}},
	{Text{"Мобилизация", "Mobilizing"}, 40, 59,
		Text{"Клиентский опыт стал программой: есть команда, бюджет и общие метрики, подразделения начинают работать по единым правилам.",
			"Customer experience has become a programme: there is a team, a budget and shared metrics, and departments start to work by common rules."},
		[6]Text{
			{"Клиентский опыт записан в стратегию, руководство регулярно обсуждает его результаты.", "CX is written into the strategy and leadership reviews its results regularly."},
			{"Есть процесс управления изменениями опыта и приоритизации инициатив.", "A process manages experience improvements and prioritises initiatives."},
			{"Метрики опыта собираются по всем ключевым точкам и видны руководителям.", "Experience metrics are collected at every key touchpoint and visible to managers."},
			{"Данные обратной связи связаны с операционными данными и регулярно анализируются.", "Feedback data is linked to operational data and analysed routinely."},
			{"Системы начинают интегрироваться; профиль клиента общий для нескольких каналов.", "Systems start to integrate; the customer profile is shared across several channels."},
			{"Есть команда по клиентскому опыту и обучение для сотрудников первой линии.", "There is a CX team and training for front-line staff."},
		},
		[]Text{
			{"Свяжите метрики опыта с финансовыми результатами и целями руководителей.", "Tie experience metrics to financial results and to managers' goals."},
			{"Интегрируйте данные о клиенте из всех каналов в единый профиль.", "Integrate customer data from every channel into one profile."},
			{"Дайте сотрудникам первой линии данные и полномочия решать проблемы клиента сразу.", "Give front-line staff the data and authority to solve customer problems on the spot."},
			{"Поставьте инициативы на поток: дорожная карта, владельцы, регулярный пересмотр.", "Run initiatives as a flow: a roadmap, owners and regular review."},
		}},
	{Text{"Масштабирование", "Scaling"}, 60, 79,
		Text{"Подход работает во всей компании: решения принимаются на данных об опыте клиентов, процессы и системы согласованы.",
			"The approach works across the company: decisions rest on customer-experience data, and processes and systems are aligned."},
		[6]Text{
			{"Клиентский опыт — часть ценностного предложения и целей каждого руководителя.", "CX is part of the value proposition and of every manager's goals."},
			{"Процессы спроектированы от пути клиента и управляются сквозными владельцами.", "Processes are designed from the customer journey and run by end-to-end owners."},
			{"Метрики опыта входят в систему KPI и вознаграждения.", "Experience metrics are part of KPIs and rewards."},
			{"Используется прогнозная аналитика: отток, ценность клиента, причины недовольства.", "Predictive analytics is used: churn, customer value, drivers of dissatisfaction."},
			{"Системы интегрированы, данные доступны в реальном времени в точке контакта.", "Systems are integrated and data is available in real time at the touchpoint."},
			{"Клиентоориентированность — часть найма, адаптации и оценки сотрудников.", "Customer focus is part of hiring, onboarding and staff appraisal."},
		},
		[]Text{
			{"Переходите от прогнозов к рекомендациям: следующее лучшее действие для каждого клиента.", "Move from prediction to prescription: the next best action for each customer."},
			{"Вовлеките партнёров и поставщиков в общий клиентский опыт.", "Bring partners and suppliers into the shared customer experience."},
			{"Автоматизируйте рутину, чтобы люди занимались сложными случаями.", "Automate routine work so people handle the difficult cases."},
			{"Превратите клиентскую обратную связь в источник новых продуктов.", "Turn customer feedback into a source of new products."},
		}},
	{Text{"Укоренение", "Embedding"}, 80, 95,
		Text{"Клиентоцентричность — часть культуры: компания непрерывно улучшает опыт, опираясь на данные, технологии и экосистему партнёров.",
			"Customer centricity is part of the culture: the company improves the experience continuously, drawing on data, technology and its partner ecosystem."},
		[6]Text{
			{"Клиентский опыт — основа стратегии и конкурентное преимущество, признанное рынком.", "CX is the core of the strategy and a competitive edge the market recognises."},
			{"Улучшения идут непрерывно, каждое изменение проверяется по влиянию на клиента.", "Improvement is continuous and every change is checked for its effect on customers."},
			{"Метрики опыта стоят в одном ряду с финансовыми и прогнозируют их.", "Experience metrics stand beside financial ones and predict them."},
			{"Рекомендательная аналитика и ИИ подсказывают действия в реальном времени.", "Prescriptive analytics and AI suggest actions in real time."},
			{"Единая платформа данных с партнёрами, автоматический контроль и защита данных.", "One data platform with partners, automated controls and data protection."},
			{"Каждый сотрудник понимает свой вклад в опыт клиента и имеет полномочия его улучшать.", "Every employee knows their part in the customer's experience and may improve it."},
		},
		[]Text{
			{"Удерживайте уровень: повторяйте оценку раз в полгода и ищите новые разрывы.", "Hold the level: repeat the assessment twice a year and look for new gaps."},
			{"Делитесь практиками с партнёрами и отраслью.", "Share your practices with partners and the industry."},
			{"Экспериментируйте с новыми каналами и технологиями раньше рынка.", "Experiment with new channels and technologies ahead of the market."},
		}},
}

// Score is the assessment's total: level k (1..4) of each question scores k-1, and the sum (0..33) is
// scaled to 0..95, rounded half up.
func Score(levels [NumQuestions]int) int {
	sum := 0
	for _, l := range levels {
		sum += l - 1
	}
	return (95*sum*2 + 33) / 66
}

// Stage is the 1-based stage of a score.
func Stage(score int) int {
	for i, s := range Stages {
		if score <= s.To {
			return i + 1
		}
	}
	return len(Stages)
}

// BlockQuestions are the questions (1-based) that measure each of the six blocks, in Blocks order. The
// questionnaire does not name a block per question; this is the project's assignment by subject, so a
// report can show the blocks side by side: strategy and leadership (management of the experience),
// processes (requests, documents), metrics (compliance and reporting), data (customer information,
// sharing with partners, analytics), technology (tools, sales and communication channels), people (top
// management's stance).
var BlockQuestions = [len(Blocks)][]int{
	{1},
	{4, 8},
	{10},
	{5, 9, 11},
	{3, 6, 7},
	{2},
}

// BlockLevels are the mean level (1..4) of each block's questions.
func BlockLevels(levels [NumQuestions]int) [len(Blocks)]float64 {
	var out [len(Blocks)]float64
	for b, qs := range BlockQuestions {
		sum := 0
		for _, q := range qs {
			sum += levels[q-1]
		}
		out[b] = float64(sum) / float64(len(qs))
	}
	return out
}
