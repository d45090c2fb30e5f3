// Handler snippets for TypeScript, per trigger: typed with @types/aws-lambda when the project has it
// (`import type { APIGatewayProxyHandlerV2 } from 'aws-lambda'`), else with the event's shape written
// out. JavaScript and Python snippets are static (`contributes.snippets`, extension/snippets/).
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { AuthoringTrigger } from './new-function';
import { HANDLER_TYPES } from './handler-templates';
import { hasAwsLambdaTypes } from './project-types';

interface SnippetSpec {
  prefix: string;
  trigger: AuthoringTrigger;
  description: string;
  /** The body after the signature line, with tabstops. */
  body: string[];
  /** The event type written out, for projects without @types/aws-lambda. */
  inlineEvent: string;
}

const SNIPPETS: SnippetSpec[] = [
  {
    prefix: 'lambda-http',
    trigger: 'http',
    description: 'Lambda handler for an HTTP API route (payload 2.0)',
    inlineEvent: '{ rawPath: string; queryStringParameters?: Record<string, string | undefined>; body?: string }',
    body: [
      '  return {',
      '    statusCode: ${2:200},',
      "    headers: { 'content-type': 'application/json' },",
      '    body: JSON.stringify(${3:{ ok: true }}),',
      '  };',
    ],
  },
  {
    prefix: 'lambda-s3',
    trigger: 's3',
    description: 'Lambda handler for S3 object notifications',
    inlineEvent: '{ Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[] }',
    body: [
      '  for (const record of event.Records) {',
      "    const key = decodeURIComponent(record.s3.object.key.replace(/\\\\+/g, ' '));",
      '    ${2:console.log(record.eventName, record.s3.bucket.name, key);}',
      '  }',
    ],
  },
  {
    prefix: 'lambda-sqs',
    trigger: 'sqs',
    description: 'Lambda handler for an SQS queue, reporting partial batch failures',
    inlineEvent: '{ Records: { messageId: string; body: string }[] }',
    body: [
      '  const batchItemFailures: { itemIdentifier: string }[] = [];',
      '  for (const record of event.Records) {',
      '    try {',
      '      ${2:console.log(record.messageId, record.body);}',
      '    } catch {',
      '      batchItemFailures.push({ itemIdentifier: record.messageId });',
      '    }',
      '  }',
      '  return { batchItemFailures };',
    ],
  },
  {
    prefix: 'lambda-schedule',
    trigger: 'schedule',
    description: 'Lambda handler for an EventBridge schedule',
    inlineEvent: '{ time: string; resources: string[] }',
    body: ['  ${2:console.log(`scheduled run at ${event.time}`);}'],
  },
  {
    prefix: 'lambda-handler',
    trigger: 'none',
    description: 'Lambda handler invoked directly',
    inlineEvent: 'Record<string, unknown>',
    body: ['  ${2:return { ok: true };}'],
  },
];

/** The snippet text for a trigger: typed with aws-lambda's handler type, or with the event written out. */
export function typeScriptSnippet(spec: SnippetSpec, typed: boolean): string {
  const signature = typed
    ? [
        `import type { ${HANDLER_TYPES[spec.trigger]} } from 'aws-lambda';`,
        '',
        `export const \${1:handler}: ${HANDLER_TYPES[spec.trigger]} = async (event) => {`,
      ]
    : [`export const \${1:handler} = async (event: ${spec.inlineEvent}) => {`];
  return [...signature, ...spec.body, '};', '$0'].join('\n');
}

export class TypeScriptHandlerSnippets implements vscode.CompletionItemProvider {
  constructor(private readonly root: string) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const range = document.getWordRangeAtPosition(position, /[\w-]+/);
    const word = range ? document.getText(range) : '';
    if (word && !'lambda-'.startsWith(word) && !word.startsWith('lambda')) return [];
    const typed = hasAwsLambdaTypes(dirname(document.uri.fsPath), this.root);
    return SNIPPETS.map((spec) => {
      const item = new vscode.CompletionItem(
        { label: spec.prefix, description: typed ? HANDLER_TYPES[spec.trigger] : 'Lambda handler' },
        vscode.CompletionItemKind.Snippet,
      );
      item.insertText = new vscode.SnippetString(typeScriptSnippet(spec, typed));
      item.detail = typed ? `${spec.description} (typed with @types/aws-lambda)` : spec.description;
      if (range) item.range = range;
      return item;
    });
  }
}

export const TYPESCRIPT_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'typescriptreact' },
];
