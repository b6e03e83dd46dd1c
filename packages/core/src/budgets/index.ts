export { type BudgetRef, budgetExceededMessage, budgetProvider, budgetsOf } from './budgets.ts';
