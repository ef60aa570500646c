// The inbox's texts (English and Russian), apart from i18n.js so the closed loop's view stays in files of
// its own; the language is the console's.
import {lang} from './i18n.js';

const texts = {
  en: {
    inbox: 'Inbox', cases: 'Cases', statusAll: 'All', st_open: 'Open', st_assigned: 'Assigned', st_resolved: 'Resolved', st_overdue: 'Overdue',
    b_open: 'Open', b_assigned: 'Assigned', b_resolved: 'Resolved', b_overdue: 'Overdue',
    rule: 'Rule', anyRule: 'Any rule', period: 'Opened in', allLocations: 'All locations', noCases: 'No case matches the filters.',
    unanswered: 'No action for {d}', opened: 'Opened {t}', dueIn: 'Due in {d}', overdueBy: 'Overdue by {d}', resolvedIn: 'Resolved in {d}', withinSLA: 'within SLA', outsideSLA: 'outside SLA',
    figOpen: 'Open', figOverdue: 'Overdue', figInSLA: 'Resolved within SLA', figFirst: 'Time to first action', figResolve: 'Time to resolution', figOpened: 'Opened',
    pareto: 'Root causes (Pareto)', noCauses: 'No root causes recorded yet.', hours: '{h} h',
    words: 'What the customer said', noWords: 'The triggering event has no words.', contact: 'Contact', voice: 'Voice recording',
    history: 'History', assign: 'Assign', assignee: 'Assignee', assignTo: 'Name of the person responsible', comment: 'Comment', addComment: 'Add comment',
    checklist: 'Qualification checklist', yes: 'Yes', no: 'No', causes: 'Root causes', causesHelp: 'Choose at least one to resolve.',
    saveQual: 'Save qualification', resolve: 'Resolve', reopen: 'Reopen', backInbox: 'Back to the inbox', sending: 'Sending…',
    saved: 'Saved; the case shows it as soon as the pipeline has written it.', waiting: 'Recorded; waiting for the pipeline…',
    a_open: 'opened by rule {r}', a_assign: 'assigned to {a}', a_comment: 'comment', a_qualify: 'qualified', a_resolve: 'resolved', a_reopen: 'reopened',
    by: 'by {a}', noCase: 'No such case within this token’s locations.', actionError: '{f}: {r}',
    k_complaint: 'Complaint', k_thanks: 'Thanks', k_suggestion: 'Suggestion', score: '{k} {v}', smiley: 'smiley {v} of {s}',
    r7d: '7 days', r30d: '30 days', r90d: '90 days', actor: 'Signed in as {a}', openCase: 'Open case {id}',
  },
  ru: {
    inbox: 'Обращения', cases: 'Обращения', statusAll: 'Все', st_open: 'Открытые', st_assigned: 'Назначенные', st_resolved: 'Решённые', st_overdue: 'Просроченные',
    b_open: 'Открыто', b_assigned: 'Назначено', b_resolved: 'Решено', b_overdue: 'Просрочено',
    rule: 'Правило', anyRule: 'Любое правило', period: 'Открыты за', allLocations: 'Все точки', noCases: 'Нет обращений по этим фильтрам.',
    unanswered: 'Без ответа {d}', opened: 'Открыто {t}', dueIn: 'Срок через {d}', overdueBy: 'Просрочено на {d}', resolvedIn: 'Решено за {d}', withinSLA: 'в срок', outsideSLA: 'с нарушением срока',
    figOpen: 'Открыто', figOverdue: 'Просрочено', figInSLA: 'Решено в срок', figFirst: 'Время до первого действия', figResolve: 'Время до решения', figOpened: 'Поступило',
    pareto: 'Корневые причины (Парето)', noCauses: 'Корневые причины ещё не указаны.', hours: '{h} ч',
    words: 'Слова клиента', noWords: 'У события нет текста.', contact: 'Контакт', voice: 'Голосовое сообщение',
    history: 'История', assign: 'Назначить', assignee: 'Ответственный', assignTo: 'Имя ответственного', comment: 'Комментарий', addComment: 'Добавить комментарий',
    checklist: 'Чек-лист квалификации', yes: 'Да', no: 'Нет', causes: 'Корневые причины', causesHelp: 'Чтобы решить обращение, выберите хотя бы одну.',
    saveQual: 'Сохранить квалификацию', resolve: 'Решить', reopen: 'Открыть снова', backInbox: 'К списку обращений', sending: 'Отправка…',
    saved: 'Сохранено; обращение покажет это, как только конвейер запишет действие.', waiting: 'Записано; ждём конвейер…',
    a_open: 'открыто правилом {r}', a_assign: 'назначено: {a}', a_comment: 'комментарий', a_qualify: 'квалифицировано', a_resolve: 'решено', a_reopen: 'открыто снова',
    by: '{a}', noCase: 'Такого обращения нет среди точек этого токена.', actionError: '{f}: {r}',
    k_complaint: 'Жалоба', k_thanks: 'Благодарность', k_suggestion: 'Предложение', score: '{k} {v}', smiley: 'смайлик {v} из {s}',
    r7d: '7 дней', r30d: '30 дней', r90d: '90 дней', actor: 'Вы вошли как {a}', openCase: 'Открыть обращение {id}',
  },
};

export function ti(key, args) {
  let s = texts[lang][key] ?? texts.en[key] ?? key;
  if (args) for (const [k, v] of Object.entries(args)) s = s.replaceAll('{' + k + '}', String(v));
  return s;
}

// title picks a configured item's title (title_ru / title_en).
export const titleOf = (x) => (lang === 'ru' ? x.title_ru : x.title_en) || x.id;

// span writes a duration in hours and minutes, or days and hours.
export function span(ms) {
  const m = Math.max(0, Math.round(ms / 60000));
  const ru = lang === 'ru';
  if (m < 60) return m + (ru ? ' мин' : ' min');
  const hh = Math.floor(m / 60);
  if (hh < 48) return hh + (ru ? ' ч ' : ' h ') + (m % 60) + (ru ? ' мин' : ' min');
  return Math.floor(hh / 24) + (ru ? ' д ' : ' d ') + (hh % 24) + (ru ? ' ч' : ' h');
}
