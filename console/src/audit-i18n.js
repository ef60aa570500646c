// Texts of the audit form and the audits view, in the console's language (i18n.js).
import {lang} from './i18n.js';

const texts = {
  en: {
    audits: 'Audits', formTitle: 'Service audit', auditorToken: 'Auditor token', auditorTokenHelp: 'A write token from ingest.tokens for the locations you audit. It stays on this device.',
    signin: 'Sign in', signout: 'Sign out', badToken: 'This token was refused.', location: 'Location', template: 'Checklist', auditor: 'Auditor id',
    role: 'Auditor', mystery_shopper: 'Mystery shopper', internal: 'Internal auditor', employee: 'Employee (optional)', visitTime: 'Visit time',
    met: 'Met', not_met: 'Not met', na: 'N/a', comment: 'Comment', critical: 'critical', weight: 'weight {w}',
    photo: 'Take a photo', audio: 'Record audio', attach: 'Attach a file', attachments: 'Attachments', remove: 'Remove',
    submit: 'Submit the audit', unanswered: 'Answer every element: {n} left.', queued: 'Saved on this device: {n} audit(s) waiting for the network.',
    sent: 'Sent: the visit is recorded.', sending: 'Sending…', draftSaved: 'Draft saved on this device', offline: 'Offline: the audit will be sent when the network returns.',
    rejected: 'Refused by the server: {e}', newAudit: 'Start a new audit', noLocations: 'This token may audit no location with a checklist.',
    ivs: 'ИВС', ivsLong: 'Standard compliance index', visits: 'visits', factors: 'Factors by location', latest: 'Latest visits', score: 'Score',
    evidence: 'Evidence', open: 'Open', capped: 'capped: a critical element failed', range: 'Range', r7d: '7 days', r30d: '30 days', r90d: '90 days',
    trend: 'ИВС by week', none: 'No audits in this range.', time: 'Time', n: 'n = {n}', interval: '95 % interval {lo} – {hi}',
    tooBig: '{name} is larger than {max} MB.',
  },
  ru: {
    audits: 'Аудиты', formTitle: 'Аудит обслуживания', auditorToken: 'Токен аудитора', auditorTokenHelp: 'Токен записи из ingest.tokens для ваших точек. Хранится только на этом устройстве.',
    signin: 'Войти', signout: 'Выйти', badToken: 'Токен не принят.', location: 'Точка', template: 'Чек-лист', auditor: 'Код аудитора',
    role: 'Аудитор', mystery_shopper: 'Тайный покупатель', internal: 'Внутренний аудитор', employee: 'Сотрудник (необязательно)', visitTime: 'Время визита',
    met: 'Да', not_met: 'Нет', na: 'Н/п', comment: 'Комментарий', critical: 'критичный', weight: 'вес {w}',
    photo: 'Сделать фото', audio: 'Записать аудио', attach: 'Прикрепить файл', attachments: 'Вложения', remove: 'Удалить',
    submit: 'Отправить аудит', unanswered: 'Ответьте на все пункты: осталось {n}.', queued: 'Сохранено на устройстве: {n} аудит(ов) ждут сети.',
    sent: 'Отправлено: визит учтён.', sending: 'Отправка…', draftSaved: 'Черновик сохранён на устройстве', offline: 'Нет сети: аудит отправится, когда сеть появится.',
    rejected: 'Сервер отклонил: {e}', newAudit: 'Новый аудит', noLocations: 'Этому токену не доступна ни одна точка с чек-листом.',
    ivs: 'ИВС', ivsLong: 'Индекс выполнения стандарта', visits: 'визитов', factors: 'Факторы по точкам', latest: 'Последние визиты', score: 'Балл',
    evidence: 'Доказательства', open: 'Открыть', capped: 'ограничен: не выполнен критичный пункт', range: 'Период', r7d: '7 дней', r30d: '30 дней', r90d: '90 дней',
    trend: 'ИВС по неделям', none: 'Нет аудитов за период.', time: 'Время', n: 'n = {n}', interval: '95 % интервал {lo} – {hi}',
    tooBig: '{name} больше {max} МБ.',
  },
};

export function at(key, vars) {
  let s = (texts[lang] || texts.en)[key] ?? texts.en[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', v);
  return s;
}

export const title = (t) => (t && (t[lang] || t.en)) || '';
