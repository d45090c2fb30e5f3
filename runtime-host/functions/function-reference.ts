// How a function is named where Lambda accepts a name: its name, `name:qualifier`, a partial ARN
// `123456789012:function:name[:qualifier]` or a full ARN `arn:aws:lambda:region:account:function:name[:qualifier]`.

export interface FunctionReference {
  name: string;
  qualifier?: string;
}

export function parseFunctionName(raw: string): FunctionReference {
  const parts = raw.split(':');
  if (parts[0] === 'arn' && parts.length >= 7 && parts[5] === 'function') {
    return { name: parts[6]!, ...(parts[7] !== undefined ? { qualifier: parts.slice(7).join(':') } : {}) };
  }
  if (parts.length >= 3 && parts[1] === 'function') {
    return { name: parts[2]!, ...(parts[3] !== undefined ? { qualifier: parts.slice(3).join(':') } : {}) };
  }
  if (parts.length === 2) return { name: parts[0]!, qualifier: parts[1]! };
  return { name: raw };
}
