namespace Umearegionen.Switchboard.PersonalData;

public static class PersonalDataRegistration
{
    public static IServiceCollection AddPersonalData(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Erasures>();
        services.AddSingleton<Retention>();
        services.AddHostedService(sp => sp.GetRequiredService<Retention>());
        return services;
    }
}
