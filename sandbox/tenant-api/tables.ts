import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export type EnvironmentName = "dev" | "sit" | "prod";

/** Table names of one environment, as the Lambda's TENANTS_TABLE, ... variables should be set. */
export function tableNames(env: EnvironmentName) {
  return {
    tenants: `bbws-tenants-${env}`,
    instances: `bbws-instances-${env}`,
    invitations: `bbws-invitations-${env}`,
    deployments: `bbws-deployments-${env}`,
  } as const;
}

/** The Lambda environment variables naming the tables of `env` (merge with the Cognito ones). */
export function tableEnvironment(env: EnvironmentName): Record<string, string> {
  const names = tableNames(env);
  return {
    TENANTS_TABLE: names.tenants,
    INSTANCES_TABLE: names.instances,
    INVITATIONS_TABLE: names.invitations,
    DEPLOYMENTS_TABLE: names.deployments,
  };
}

const keyed = (TableName: string): CreateTableCommandInput => ({
  TableName,
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [
    { AttributeName: "PK", AttributeType: "S" },
    { AttributeName: "SK", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "PK", KeyType: "HASH" },
    { AttributeName: "SK", KeyType: "RANGE" },
  ],
});

/** CreateTable inputs for the four tables of docs/tenant-api-contract.md ("Storage"), for `env`. */
export function tableDefinitions(env: EnvironmentName): CreateTableCommandInput[] {
  const names = tableNames(env);
  const instances = keyed(names.instances);
  return [
    keyed(names.tenants),
    {
      ...instances,
      AttributeDefinitions: [
        ...(instances.AttributeDefinitions ?? []),
        { AttributeName: "tenantId", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "byTenant",
          KeySchema: [
            { AttributeName: "tenantId", KeyType: "HASH" },
            { AttributeName: "SK", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    },
    keyed(names.invitations),
    keyed(names.deployments),
  ];
}
