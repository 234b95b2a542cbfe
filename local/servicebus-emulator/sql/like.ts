/** LIKE patterns: % is any run of characters, _ exactly one, ESCAPE makes the next character literal. */

export class LikeEscapeError extends Error {}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * Translates a LIKE pattern into an anchored RegExp. Matching is case-sensitive and counts
 * UTF-16 code units, as .NET strings (and so Service Bus) do. Throws LikeEscapeError when the
 * pattern ends with a lone escape character.
 */
export function likeToRegExp(pattern: string, escape?: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (escape !== undefined && ch === escape) {
      const literal = pattern[i + 1];
      if (literal === undefined) throw new LikeEscapeError('the LIKE pattern ends with its escape character');
      source += literal.replace(REGEX_SPECIAL, '\\$&');
      i++;
    } else if (ch === '%') {
      source += '[\\s\\S]*';
    } else if (ch === '_') {
      source += '[\\s\\S]';
    } else {
      source += ch.replace(REGEX_SPECIAL, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
