// Standard Schema v1 (https://standardschema.dev): the interface tRPC 11, and any other consumer,
// accepts as an input validator. Declared here as the spec recommends, so core has no dependency.
import type { OperationSpec } from '@esikit/spec';
import { inputIssues } from './internal/validate.js';

/**
 * The Standard Schema v1 interface (as published in `@standard-schema/spec`).
 *
 * @example
 * const schema: StandardSchemaV1<unknown, { region_id: number }> = esi.inputSchema('GetMarketsRegionIdOrders');
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

// The namespace mirrors the published spec's shape, so consumers' `StandardSchemaV1.Issue`… work.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace StandardSchemaV1 {
  /** The properties under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  /** What `validate` returns. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  /** A valid value. */
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  /** An invalid value: one issue per problem. */
  export interface FailureResult {
    readonly issues: readonly Issue[];
  }
  /** One problem: a message for people and where it is. */
  export interface Issue {
    readonly message: string;
    readonly path?: readonly (PropertyKey | PathSegment)[] | undefined;
  }
  /** A path segment given as an object. */
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  /** Type-only: what the schema takes and gives. */
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  /** The input type of a schema. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['input'];
  /** The output type of a schema. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['output'];
}

/**
 * Builds the Standard Schema of one operation's input. `operation` is resolved on each call so
 * a client whose spec is read from `specFile` validates once it is loaded (then `validate`
 * returns a promise, which Standard Schema allows); with the generated table it is synchronous.
 */
export function operationInputSchema<T>(
  operation: () => OperationSpec | Promise<OperationSpec>,
): StandardSchemaV1<T, T> {
  const check = (op: OperationSpec, value: unknown): StandardSchemaV1.Result<T> => {
    const issues = inputIssues(op, value);
    return issues.length > 0 ? { issues } : { value: (value ?? {}) as T };
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'esikit',
      validate(value) {
        const op = operation();
        return op instanceof Promise ? op.then((o) => check(o, value)) : check(op, value);
      },
    },
  };
}
