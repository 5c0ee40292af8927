/**
 * CloudWatch's errors, as its JSON protocol names them (the Smithy shape name) with the code its
 * Query API uses (awsQuery compatibility: InvalidParameterValueException -> InvalidParameterValue).
 */
import { AwsServiceError } from "../errors.ts";

export const invalidValue = (message: string) =>
  new AwsServiceError("InvalidParameterValueException", message, { queryCode: "InvalidParameterValue" });

export const invalidCombination = (message: string) =>
  new AwsServiceError("InvalidParameterCombinationException", message, {
    queryCode: "InvalidParameterCombination",
  });

export const missingParameter = (message: string) =>
  new AwsServiceError("MissingRequiredParameterException", message, { queryCode: "MissingParameter" });

export const validationError = (message: string) =>
  new AwsServiceError("ValidationError", message, { queryCode: "ValidationError" });

export const invalidFormat = (message: string) =>
  new AwsServiceError("InvalidFormatFault", message, { queryCode: "InvalidFormat" });

export const alarmNotFound = (name: string) =>
  new AwsServiceError("ResourceNotFound", `Alarm ${name} not found`, {
    status: 404,
    queryCode: "ResourceNotFound",
  });

export const alarmsNotFound = (names: readonly string[]) =>
  new AwsServiceError("ResourceNotFound", `The following alarms were not found: ${names.join(", ")}`, {
    status: 404,
    queryCode: "ResourceNotFound",
  });

export const invalidToken = () =>
  new AwsServiceError(
    "InvalidNextToken",
    "The service couldn't process the NextToken. Start again without it.",
    { queryCode: "InvalidNextToken" },
  );
