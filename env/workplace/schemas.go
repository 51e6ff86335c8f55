package workplace

// toolSpecs are the function tools of NeMo Gym's workplace_assistant
// server, in the order its get_tools lists them: the names, descriptions
// and JSON Schemas the dataset rows offer the model. They are not strict
// (NeMo Gym's "strict": false): most arguments are optional.
const toolSpecs = `[
	{
		"type": "function",
		"name": "company_directory_find_email_address",
		"description": "Finds all email addresses containing the given name (case-insensitive search).",
		"parameters": {
			"type": "object",
			"properties": {
				"name": {
					"type": "string",
					"description": "Name or partial name to search for in email addresses"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "email_get_email_information_by_id",
		"description": "Retrieves specific details of an email by its ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"email_id": {
					"type": "string",
					"description": "Unique ID of the email"
				},
				"field": {
					"type": "string",
					"description": "Specific field to return. Available fields: 'email_id', 'inbox/outbox', 'sender/recipient', 'subject', 'sent_datetime', 'body'"
				}
			},
			"required": [
				"email_id",
				"field"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "email_search_emails",
		"description": "Searches for emails matching the given query across subject, body, or sender fields. The function matches an email if all words in the query appear in any of these fields.",
		"parameters": {
			"type": "object",
			"properties": {
				"query": {
					"type": "string",
					"description": "Search query, matching terms in subject, body, or sender/recipient fields"
				},
				"date_min": {
					"type": "string",
					"description": "Lower date limit for the email's sent date (inclusive). Format: YYYY-MM-DD"
				},
				"date_max": {
					"type": "string",
					"description": "Upper date limit for the email's sent date (inclusive). Format: YYYY-MM-DD"
				},
				"page": {
					"type": "integer",
					"description": "Page number of results to return"
				},
				"page_size": {
					"type": "integer",
					"description": "Number of emails per page"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "email_send_email",
		"description": "Sends an email to the specified recipient.",
		"parameters": {
			"type": "object",
			"properties": {
				"recipient": {
					"type": "string",
					"description": "Email address of the recipient"
				},
				"subject": {
					"type": "string",
					"description": "Subject line of the email"
				},
				"body": {
					"type": "string",
					"description": "Body content of the email"
				}
			},
			"required": [
				"recipient",
				"subject",
				"body"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "email_delete_email",
		"description": "Deletes an email by its ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"email_id": {
					"type": "string",
					"description": "Unique ID of the email to be deleted"
				}
			},
			"required": [
				"email_id"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "email_forward_email",
		"description": "Forwards an email to the specified recipient.",
		"parameters": {
			"type": "object",
			"properties": {
				"email_id": {
					"type": "string",
					"description": "Unique ID of the email to be forwarded"
				},
				"recipient": {
					"type": "string",
					"description": "Email address of the recipient"
				}
			},
			"required": [
				"email_id",
				"recipient"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "email_reply_email",
		"description": "Replies to an email by its ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"email_id": {
					"type": "string",
					"description": "Unique ID of the email to be replied"
				},
				"body": {
					"type": "string",
					"description": "Body content of the email"
				}
			},
			"required": [
				"email_id",
				"body"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "calendar_get_event_information_by_id",
		"description": "Returns the event for a given ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"event_id": {
					"type": "string",
					"description": "8-digit ID of the event"
				},
				"field": {
					"type": "string",
					"description": "Field to return. Available fields are: 'event_id', 'event_name', 'participant_email', 'event_start', 'duration'"
				}
			},
			"required": [
				"event_id",
				"field"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "calendar_search_events",
		"description": "Returns the events for a given query with pagination support.",
		"parameters": {
			"type": "object",
			"properties": {
				"query": {
					"type": "string",
					"description": "Query to search for. Terms will be matched in the event_name and participant_email fields"
				},
				"time_min": {
					"type": "string",
					"description": "Lower bound (inclusive) for an event's end time to filter by. Format: YYYY-MM-DD HH:MM:SS"
				},
				"time_max": {
					"type": "string",
					"description": "Upper bound (inclusive) for an event's start time to filter by. Format: YYYY-MM-DD HH:MM:SS"
				},
				"page": {
					"type": "integer",
					"description": "Page number of results to return"
				},
				"page_size": {
					"type": "integer",
					"description": "Number of events per page"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "calendar_create_event",
		"description": "Creates a new event.",
		"parameters": {
			"type": "object",
			"properties": {
				"event_name": {
					"type": "string",
					"description": "Name of the event"
				},
				"participant_email": {
					"type": "string",
					"description": "Email of the participant"
				},
				"event_start": {
					"type": "string",
					"description": "Start time of the event. Format: YYYY-MM-DD HH:MM:SS"
				},
				"duration": {
					"type": "string",
					"description": "Duration of the event in minutes"
				}
			},
			"required": [
				"event_name",
				"participant_email",
				"event_start",
				"duration"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "calendar_delete_event",
		"description": "Deletes an event.",
		"parameters": {
			"type": "object",
			"properties": {
				"event_id": {
					"type": "string",
					"description": "8-digit ID of the event"
				}
			},
			"required": [
				"event_id"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "calendar_update_event",
		"description": "Updates an event.",
		"parameters": {
			"type": "object",
			"properties": {
				"event_id": {
					"type": "string",
					"description": "8-digit ID of the event"
				},
				"field": {
					"type": "string",
					"description": "Field to update. Available fields are: 'event_name', 'participant_email', 'event_start', 'duration'"
				},
				"new_value": {
					"type": "string",
					"description": "New value for the field"
				}
			},
			"required": [
				"event_id",
				"field",
				"new_value"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "analytics_get_visitor_information_by_id",
		"description": "Returns the analytics data for a given visitor ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"visitor_id": {
					"type": "string",
					"description": "ID of the visitor"
				}
			},
			"required": [
				"visitor_id"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "analytics_create_plot",
		"description": "Plots the analytics data for a given time range and value.",
		"parameters": {
			"type": "object",
			"properties": {
				"time_min": {
					"type": "string",
					"description": "Start date of the time range. Date format is YYYY-MM-DD"
				},
				"time_max": {
					"type": "string",
					"description": "End date of the time range. Date format is YYYY-MM-DD"
				},
				"value_to_plot": {
					"type": "string",
					"description": "Value to plot. Available values are: 'total_visits', 'session_duration_seconds', 'user_engaged', 'visits_direct', 'visits_referral', 'visits_search_engine', 'visits_social_media'"
				},
				"plot_type": {
					"type": "string",
					"description": "Type of plot. Can be 'bar', 'line', 'scatter' or 'histogram'"
				}
			},
			"required": [
				"time_min",
				"time_max",
				"value_to_plot",
				"plot_type"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "analytics_total_visits_count",
		"description": "Returns the total number of visits within a specified time range.",
		"parameters": {
			"type": "object",
			"properties": {
				"time_min": {
					"type": "string",
					"description": "Start date of the time range. Date format is YYYY-MM-DD"
				},
				"time_max": {
					"type": "string",
					"description": "End date of the time range. Date format is YYYY-MM-DD"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "analytics_engaged_users_count",
		"description": "Returns the number of engaged users within a specified time range.",
		"parameters": {
			"type": "object",
			"properties": {
				"time_min": {
					"type": "string",
					"description": "Start date of the time range. Date format is YYYY-MM-DD"
				},
				"time_max": {
					"type": "string",
					"description": "End date of the time range. Date format is YYYY-MM-DD"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "analytics_traffic_source_count",
		"description": "Returns the number of visits from a specific traffic source within a specified time range.",
		"parameters": {
			"type": "object",
			"properties": {
				"time_min": {
					"type": "string",
					"description": "Start date of the time range. Date format is YYYY-MM-DD"
				},
				"time_max": {
					"type": "string",
					"description": "End date of the time range. Date format is YYYY-MM-DD"
				},
				"traffic_source": {
					"type": "string",
					"description": "Traffic source to filter the visits. Available values are: 'direct', 'referral', 'search engine', 'social media'"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "analytics_get_average_session_duration",
		"description": "Returns the average session duration within a specified time range.",
		"parameters": {
			"type": "object",
			"properties": {
				"time_min": {
					"type": "string",
					"description": "Start date of the time range. Date format is YYYY-MM-DD"
				},
				"time_max": {
					"type": "string",
					"description": "End date of the time range. Date format is YYYY-MM-DD"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "project_management_get_task_information_by_id",
		"description": "Returns the task information for a given ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"task_id": {
					"type": "string",
					"description": "8-digit ID of the task"
				},
				"field": {
					"type": "string",
					"description": "Field to return. Available fields are: 'task_id', 'task_name', 'assigned_to_email', 'list_name', 'due_date', 'board'"
				}
			},
			"required": [
				"task_id",
				"field"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "project_management_search_tasks",
		"description": "Searches for tasks based on the given parameters.",
		"parameters": {
			"type": "object",
			"properties": {
				"task_name": {
					"type": "string",
					"description": "Name of the task"
				},
				"assigned_to_email": {
					"type": "string",
					"description": "Email address of the person assigned to the task"
				},
				"list_name": {
					"type": "string",
					"description": "Name of the list the task belongs to"
				},
				"due_date": {
					"type": "string",
					"description": "Due date of the task in YYYY-MM-DD format"
				},
				"board": {
					"type": "string",
					"description": "Name of the board the task belongs to"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "project_management_create_task",
		"description": "Creates a new task.",
		"parameters": {
			"type": "object",
			"properties": {
				"task_name": {
					"type": "string",
					"description": "Name of the task"
				},
				"assigned_to_email": {
					"type": "string",
					"description": "Email address of the person assigned to the task"
				},
				"list_name": {
					"type": "string",
					"description": "Name of the list the task belongs to. One of: 'Backlog', 'In Progress', 'In Review', 'Completed'"
				},
				"due_date": {
					"type": "string",
					"description": "Due date of the task in YYYY-MM-DD format"
				},
				"board": {
					"type": "string",
					"description": "Name of the board the task belongs to. One of: 'Back end', 'Front end', 'Design'"
				}
			},
			"required": [
				"task_name",
				"assigned_to_email",
				"list_name",
				"due_date",
				"board"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "project_management_delete_task",
		"description": "Deletes a task by ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"task_id": {
					"type": "string",
					"description": "8-digit ID of the task"
				}
			},
			"required": [
				"task_id"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "project_management_update_task",
		"description": "Updates a task by ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"task_id": {
					"type": "string",
					"description": "8-digit ID of the task"
				},
				"field": {
					"type": "string",
					"description": "Field to update. Available fields are: 'task_name', 'assigned_to_email', 'list_name', 'due_date', 'board'"
				},
				"new_value": {
					"type": "string",
					"description": "New value for the field"
				}
			},
			"required": [
				"task_id",
				"field",
				"new_value"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "customer_relationship_manager_search_customers",
		"description": "Searches for customers based on the given parameters with pagination support.",
		"parameters": {
			"type": "object",
			"properties": {
				"customer_name": {
					"type": "string",
					"description": "Name of the customer"
				},
				"customer_email": {
					"type": "string",
					"description": "Email address of the customer"
				},
				"product_interest": {
					"type": "string",
					"description": "Product interest of the customer"
				},
				"status": {
					"type": "string",
					"description": "Current status of the customer"
				},
				"assigned_to_email": {
					"type": "string",
					"description": "Email address of the person assigned to the customer"
				},
				"last_contact_date_min": {
					"type": "string",
					"description": "Minimum last contact date. Format: YYYY-MM-DD"
				},
				"last_contact_date_max": {
					"type": "string",
					"description": "Maximum last contact date. Format: YYYY-MM-DD"
				},
				"follow_up_by_min": {
					"type": "string",
					"description": "Minimum follow up date. Format: YYYY-MM-DD"
				},
				"follow_up_by_max": {
					"type": "string",
					"description": "Maximum follow up date. Format: YYYY-MM-DD"
				},
				"page": {
					"type": "integer",
					"description": "Page number of results to return"
				},
				"page_size": {
					"type": "integer",
					"description": "Number of customers per page"
				}
			},
			"required": [],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "customer_relationship_manager_update_customer",
		"description": "Updates a customer record by ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"customer_id": {
					"type": "string",
					"description": "ID of the customer"
				},
				"field": {
					"type": "string",
					"description": "Field to update. Available fields are: 'customer_name', 'assigned_to_email', 'customer_email', 'customer_phone', 'last_contact_date', 'product_interest', 'status', 'notes', 'follow_up_by'"
				},
				"new_value": {
					"type": "string",
					"description": "New value for the field"
				}
			},
			"required": [
				"customer_id",
				"field",
				"new_value"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "customer_relationship_manager_add_customer",
		"description": "Adds a new customer record.",
		"parameters": {
			"type": "object",
			"properties": {
				"customer_name": {
					"type": "string",
					"description": "Name of the customer"
				},
				"assigned_to_email": {
					"type": "string",
					"description": "Email address of the person assigned to the customer"
				},
				"status": {
					"type": "string",
					"description": "Current status of the customer. One of: 'Qualified', 'Won', 'Lost', 'Lead', 'Proposal'"
				},
				"customer_email": {
					"type": "string",
					"description": "Email address of the customer"
				},
				"customer_phone": {
					"type": "string",
					"description": "Phone number of the customer"
				},
				"last_contact_date": {
					"type": "string",
					"description": "The last date the customer was contacted. Format: YYYY-MM-DD"
				},
				"product_interest": {
					"type": "string",
					"description": "Product interest of the customer. One of: 'Software', 'Hardware', 'Services', 'Consulting', 'Training'"
				},
				"notes": {
					"type": "string",
					"description": "Notes about the customer"
				},
				"follow_up_by": {
					"type": "string",
					"description": "Date for the next follow up. Format: YYYY-MM-DD"
				}
			},
			"required": [
				"customer_name",
				"assigned_to_email",
				"status"
			],
			"additionalProperties": false
		},
		"strict": false
	},
	{
		"type": "function",
		"name": "customer_relationship_manager_delete_customer",
		"description": "Deletes a customer record by ID.",
		"parameters": {
			"type": "object",
			"properties": {
				"customer_id": {
					"type": "string",
					"description": "ID of the customer"
				}
			},
			"required": [
				"customer_id"
			],
			"additionalProperties": false
		},
		"strict": false
	}
]`
