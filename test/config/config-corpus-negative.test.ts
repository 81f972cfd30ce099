import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/core/input-errors.ts';
import { loadModelConfig } from '../../src/scenario/load.ts';

/**
 * test/fixtures/config-corpus/negative: one sequence-batched config per rule of Triton's model
 * configuration validation (written for this project from core's model_config_utils and the
 * sequence batcher's state checks; docs/config-corpus.md). Each must be refused with Triton's
 * message, given in full in its `expected` file.
 */
const corpus = fileURLToPath(new URL('../fixtures/config-corpus/negative/', import.meta.url));
const cases = readdirSync(corpus).sort();

function problemOf(dir: string): string {
  try {
    loadModelConfig(dir);
  } catch (error) {
    if (error instanceof InputError) return error.problem;
    throw error;
  }
  return '(accepted)';
}

describe("Triton's model-config rules: the negative corpus", () => {
  it('holds a case per rule', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)("%s is refused with Triton's message", (name) => {
    const expected = readFileSync(join(corpus, name, 'expected'), 'utf8').trim();
    expect(problemOf(join(corpus, name))).toBe(expected);
  });
});
