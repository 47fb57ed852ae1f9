import type { UserConfig } from 'vitest/config';

export declare const base: UserConfig;
export declare function esikitVitest(overrides?: UserConfig): UserConfig;
