// Texts in English and Russian. The language is the user's choice (kept in localStorage), else the
// browser's; ?lang=ru|en in the address overrides both.
const texts = {
  en: {
    title: 'CXM console', skip: 'Skip to content', board: 'Board', map: 'Map', maturity: 'CX maturity',
    signin: 'Sign in', signout: 'Sign out', token: 'Read token', tokenHelp: 'A read token from api.tokens (cxm token new); `make run` prints a sign-in link with the development token.',
    badToken: 'This token was refused. Check it and try again.', language: 'Language',
    updated: 'Updated {t}; refreshes every {s} s', updating: 'Updating…', stale: 'Could not refresh: {e}. Showing data from {t}.',
    window: 'Window', region: 'Region', all: 'All', status: 'Status', search: 'Search', searchPh: 'Name or id',
    export: 'Export', csv: 'CSV', xlsx: 'Excel', locations: '{n} locations', shown: '{n} of {m} shown',
    none: 'No location matches the filters.', noLocations: 'This token may read no location.',
    worst: 'Worst: {k}', open: 'Open location page', indicators: 'Indicators', since: 'since {t}',
    n: 'n = {n}', interval: '95 % interval {lo} – {hi}', noValue: 'no data', thresholds: 'yellow {y}, red {r}, {d} is better',
    higher: 'higher', lower: 'lower', notEvaluated: 'Not evaluated yet',
    s_red: 'Bad', s_yellow: 'Acceptable', s_green: 'Good', s_grey: 'Insufficient data', s_none: 'No threshold', scriptError: 'The page hit an error: {e}. Reload it to continue.',
    legend: 'What the colours mean',
    legendText: 'Each indicator is compared with its thresholds over the chosen rolling window: Good (green, circle), Acceptable (yellow, triangle), Bad (red, octagon). A location’s flag has the colour of its worst indicator.',
    greyText: 'Insufficient data (grey, square) is not a verdict: the window holds fewer answers or events than the minimum sample size set for the indicator (kpi.thresholds … min_n), or nothing at all — for example a shop that is closed. Its value, if any, is shown but not judged.',
    greyWhy: 'n = {n}: too few to judge',
    mapTitle: 'Map', plain: 'Map tiles could not be loaded from {h}; a plain background is shown. Flags and their positions are exact.',
    plainNoTiles: 'No tile server is configured (console.tiles); a plain background is shown.',
    details: 'Details', back: 'Back to the board', location: 'Location', timezone: 'Time zone',
    chart: 'Indicators over time', left: 'Left axis', right: 'Right axis', noneKpi: '(none)', range: 'Range', step: 'Step', auto: 'auto',
    from: 'From', to: 'To', apply: 'Show', custom: 'custom',
    r6h: '6 hours', r24h: '24 hours', r7d: '7 days', r30d: '30 days', unitH: 'h',
    chartHelp: 'Shaded areas around each line are its 95 % intervals; the coloured bands are the left indicator’s thresholds (red, yellow, green), dashed lines the right one’s.',
    table: 'Show the chart as a table', time: 'Time', value: 'Value',
    events: 'Latest events', comments: 'Latest comments', noEvents: 'No events in the last {h} hours.', noComments: 'No comments in the last {h} hours.',
    allButCounters: 'all but counters', type: 'Type', device: 'Device', what: 'What', comment: 'Comment', eventsRange: 'Newest first, last {h} hours, at most {n}.',
    forbidden: 'This token may not read this location.', notFound: 'No such location.', error: 'The request failed: {e}',
    loading: 'Loading…', downloadFailed: 'Download failed: {e}',
    d30d: '30 days', d90d: '90 days', d365d: '365 days', respondent: 'Respondent', score: 'Score', stage: 'Stage',
    scoreOf: '{s} of {m}', noAssessments: 'No assessments in this range.', noAssessment: 'No such assessment within this token’s locations.',
    reportTitle: 'CX maturity self-assessment', perQuestion: 'Level per question', perBlock: 'Level per block (mean of its questions)',
    drivers: 'To reach “{s}”', downloadPDF: 'Download PDF', sendCopy: 'E-mail the respondent’s copy', sent: 'Sent to {e}.',
    levelOf: 'level {l} of 4',
  },
  ru: {
    title: 'Консоль CXM', skip: 'К содержимому', board: 'Панель', map: 'Карта', maturity: 'Зрелость CX',
    signin: 'Войти', signout: 'Выйти', token: 'Токен чтения', tokenHelp: 'Токен чтения из api.tokens (cxm token new); `make run` печатает ссылку для входа с токеном разработчика.',
    badToken: 'Токен не принят. Проверьте его и попробуйте ещё раз.', language: 'Язык',
    updated: 'Обновлено {t}; обновляется каждые {s} с', updating: 'Обновление…', stale: 'Не удалось обновить: {e}. Показаны данные на {t}.',
    window: 'Окно', region: 'Регион', all: 'Все', status: 'Статус', search: 'Поиск', searchPh: 'Название или id',
    export: 'Экспорт', csv: 'CSV', xlsx: 'Excel', locations: 'Точек: {n}', shown: 'Показано {n} из {m}',
    none: 'Нет точек, подходящих под фильтры.', noLocations: 'Этому токену не доступна ни одна точка.',
    worst: 'Хуже всего: {k}', open: 'Страница точки', indicators: 'Индикаторы', since: 'с {t}',
    n: 'n = {n}', interval: '95 % интервал {lo} – {hi}', noValue: 'нет данных', thresholds: 'жёлтый {y}, красный {r}, лучше {d}',
    higher: 'больше', lower: 'меньше', notEvaluated: 'Ещё не оценивался',
    s_red: 'Плохо', s_yellow: 'Допустимо', s_green: 'Хорошо', s_grey: 'Мало данных', s_none: 'Порог не задан', scriptError: 'Ошибка на странице: {e}. Перезагрузите её.',
    legend: 'Что означают цвета',
    legendText: 'Каждый индикатор сравнивается со своими порогами в выбранном скользящем окне: хорошо (зелёный, круг), допустимо (жёлтый, треугольник), плохо (красный, восьмиугольник). Флажок точки — цвета её худшего индикатора.',
    greyText: 'Мало данных (серый, квадрат) — это не оценка: в окне меньше ответов или событий, чем минимальный объём выборки индикатора (kpi.thresholds … min_n), или нет совсем — например, магазин закрыт. Значение, если есть, показано, но не оценивается.',
    greyWhy: 'n = {n}: слишком мало для оценки',
    mapTitle: 'Карта', plain: 'Не удалось загрузить подложку карты с {h}; показан простой фон. Флажки и их положение точны.',
    plainNoTiles: 'Сервер подложки не настроен (console.tiles); показан простой фон.',
    details: 'Подробнее', back: 'К панели', location: 'Точка', timezone: 'Часовой пояс',
    chart: 'Индикаторы во времени', left: 'Левая ось', right: 'Правая ось', noneKpi: '(нет)', range: 'Период', step: 'Шаг', auto: 'авто',
    from: 'С', to: 'По', apply: 'Показать', custom: 'свой',
    r6h: '6 часов', r24h: '24 часа', r7d: '7 дней', r30d: '30 дней', unitH: 'ч',
    chartHelp: 'Заливка вокруг линий — 95 % интервалы; цветные полосы — пороги левого индикатора (красный, жёлтый, зелёный), пунктир — пороги правого.',
    table: 'Показать график таблицей', time: 'Время', value: 'Значение',
    events: 'Последние события', comments: 'Последние комментарии', noEvents: 'Нет событий за последние {h} ч.', noComments: 'Нет комментариев за последние {h} ч.',
    allButCounters: 'все, кроме счётчиков', type: 'Тип', device: 'Устройство', what: 'Что', comment: 'Комментарий', eventsRange: 'Новые сверху, последние {h} ч, не больше {n}.',
    forbidden: 'Этому токену не доступна эта точка.', notFound: 'Нет такой точки.', error: 'Запрос не удался: {e}',
    loading: 'Загрузка…', downloadFailed: 'Не удалось скачать: {e}',
    d30d: '30 дней', d90d: '90 дней', d365d: '365 дней', respondent: 'Респондент', score: 'Балл', stage: 'Стадия',
    scoreOf: '{s} из {m}', noAssessments: 'За этот период оценок нет.', noAssessment: 'Такой оценки нет среди точек этого токена.',
    reportTitle: 'Самооценка зрелости CX', perQuestion: 'Уровень по вопросам', perBlock: 'Уровень по блокам (среднее по их вопросам)',
    drivers: 'Чтобы перейти к стадии «{s}»', downloadPDF: 'Скачать PDF', sendCopy: 'Отправить копию респонденту', sent: 'Отправлено на {e}.',
    levelOf: 'уровень {l} из 4',
  },
};


const typeNames = {
  en: {button: 'button', counter: 'counter', pos: 'receipt', survey: 'survey'},
  ru: {button: 'кнопка', counter: 'счётчик', pos: 'чек', survey: 'опрос'},
};

function initial() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'ru' || q === 'en') return q;
  const saved = localStorage.getItem('cxm.lang');
  if (saved === 'ru' || saved === 'en') return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export let lang = initial();

export function setLang(l) {
  lang = l;
  localStorage.setItem('cxm.lang', l);
  document.documentElement.lang = l;
}

export function t(key, args) {
  let s = texts[lang][key] ?? texts.en[key] ?? key;
  if (args) for (const [k, v] of Object.entries(args)) s = s.replaceAll('{' + k + '}', String(v));
  return s;
}

// kpiTitle is the KPI's title from the registry (internal/kpi), through meta.json.
export function kpiTitle(meta) {
  return (lang === 'ru' && meta.title_ru) || meta.title;
}

export function typeName(type) {
  return typeNames[lang][type] ?? type;
}
