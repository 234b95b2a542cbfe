/**
 * ASP.NET Core route constraints, as Functions route templates use them ({id:int},
 * {name:alpha:minlength(2)}, {v:regex(^\d+$)}). Each check gets the decoded segment value.
 */
export type ConstraintCheck = (value: string) => boolean;

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };
const GUID = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;

const isInteger = (value: string): boolean => /^-?\d+$/.test(value);
const isNumber = (value: string): boolean => value.trim() !== '' && Number.isFinite(Number(value));

export function parseConstraint(text: string): ConstraintCheck {
  const match = /^([a-zA-Z]+)(?:\((.*)\))?$/s.exec(text);
  if (!match) throw new Error(`unreadable route constraint "${text}"`);
  const name = (match[1] ?? '').toLowerCase();
  const argument = match[2];
  const numbers = (argument ?? '').split(',').map((part) => Number(part.trim()));
  const [first = NaN, second = NaN] = numbers;
  switch (name) {
    case 'int':
      return (v) => isInteger(v) && Number(v) >= INT32.min && Number(v) <= INT32.max;
    case 'long':
      return (v) => isInteger(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'double':
    case 'float':
    case 'decimal':
      return isNumber;
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength':
      return (v) => v.length >= first;
    case 'maxlength':
      return (v) => v.length <= first;
    case 'length':
      return numbers.length === 2
        ? (v) => v.length >= first && v.length <= second
        : (v) => v.length === first;
    case 'min':
      return (v) => isInteger(v) && Number(v) >= first;
    case 'max':
      return (v) => isInteger(v) && Number(v) <= first;
    case 'range':
      return (v) => isInteger(v) && Number(v) >= first && Number(v) <= second;
    case 'regex': {
      // ASP.NET matches route regexes case-insensitively.
      const pattern = new RegExp(argument ?? '', 'i');
      return (v) => pattern.test(v);
    }
    default:
      throw new Error(`unknown route constraint "${name}"`);
  }
}
