export { parseFql, FQL_FUNCTIONS, type FqlNode, type FqlFunction, type CompareOp } from './parser';
export { evaluateFql, compileFql, type CompiledFql } from './evaluate';
export { FqlSyntaxError } from './lexer';
export { snakecase, kebabcase, titlecase } from './casing';
export { globToRegExp } from './glob';
