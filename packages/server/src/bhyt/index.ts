export { type CardObservation, type CardSource, cardDate, cardFromXml, cardHistory, cardStatus, purgeCardObservations, recordCardObservations } from './cards.ts';
export { runBhyt } from './cli.ts';
export { CARD_COLUMNS, type CardImportResult, importCardList, parseCardMapping } from './import.ts';
